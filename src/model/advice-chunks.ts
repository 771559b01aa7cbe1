// What smaller chunks (or tasks) could save in a region, judged from its tasks' work: a self-
// scheduled pool (dynamic, steal, a queue pool like tinypool) hands each task to the next thread
// that is free, so replaying the tasks' work in the order they started on p threads that each
// take the next task when free gives the region's length had no other process taken the cores.
// Smaller chunks can bring it down to the even share (total / p), never below the longest item:
//   saving = replayed length − max(total / p, longest item)  ≤  the replay's tail,
// the tail being the time the last thread ran alone after another ran out of work (the saving
// can never exceed what the tail costs). On a loaded machine a descheduled thread takes fewer
// tasks in wall time and none of that is the chunks' doing; the replay sees through it: 8 tasks
// of 50 ms on 2 threads replay as 200 ms each, whatever split the load made.
//
// A task's work is its span less the time its thread waited for a core in it (schedstat), or its
// time on a core when it was on one most of that (CPU work), or its wall time when the report does
// not have the readings. Linear in the region's tasks and the threads'
// readings (one sweep per thread).
import type { Report } from './report';
import { cpuSeriesOf, stretchWork, taskSpansByThread } from './cpu-time';


/** One task of a region, ms. */
export interface TaskWork { thread: number; start: number; workMs: number; items: number }

export interface ChunkReplay {
  /** Whether the work excludes time waiting for a core (schedstat), or is wall time. */
  onCpu: boolean;
  tasks: number;
  /** Replayed length of the region, ms. */
  lengthMs: number;
  /** Replayed tail: the replay's end less the moment its first thread ran out of work, ms. */
  tailMs: number;
  /** The even share: total work / p, ms. */
  evenMs: number;
  /** The longest item (a task's work / its items), ms: no split of the chunks goes below it. */
  longestItemMs: number;
  /** What smaller chunks would save, ms (see the header). */
  savingMs: number;
}

/** The tasks of a region (spans, derived busy stretches left out), with their work. */
export function taskWorks(report: Report, spans: Iterable<number>): { tasks: TaskWork[]; onCpu: boolean } {
  const { start, end, items, thread } = report.spans;
  const { picked, byThread } = taskSpansByThread(report, spans);
  const series = new Map([...byThread.keys()].map((t) => [t, cpuSeriesOf(report, t)]));
  // Work terms only when every thread of the region has run-queue readings: a mix would compare wall with work.
  const onCpu = picked.length > 0 && [...series.values()].every((s) => s?.runnable !== undefined);
  // Each task's work by stretchWork (two 60 ms messages read 207 ms as time not waiting for a core).
  const worked = new Map<number, number>();
  if (onCpu) {
    for (const [t, mine] of byThread) {
      const work = stretchWork(series.get(t)!, mine.map((k) => start[k]), mine.map((k) => end[k]))!;
      work.forEach((w, i) => worked.set(mine[i], w));
    }
  }
  const tasks = picked.map((k): TaskWork => {
    const w = worked.get(k) ?? end[k] - start[k];
    return { thread: thread[k], start: start[k], workMs: w / 1000, items: Math.max(1, items[k]) };
  });
  tasks.sort((a, b) => a.start - b.start);
  return { tasks, onCpu };
}

/** Replays `tasks` (in start order) on `threads` threads, each taking the next task when free. */
export function replayChunks(tasks: TaskWork[], threads: number, onCpu: boolean): ChunkReplay {
  const p = Math.max(1, threads);
  const free = new Float64Array(p);
  let total = 0, longestItem = 0;
  for (const t of tasks) {
    let j = 0;
    for (let i = 1; i < p; i++) if (free[i] < free[j]) j = i;
    free[j] += t.workMs;
    total += t.workMs;
    longestItem = Math.max(longestItem, t.workMs / t.items);
  }
  let length = 0, first = Infinity;
  for (let i = 0; i < p; i++) { length = Math.max(length, free[i]); first = Math.min(first, free[i]); }
  const even = total / p;
  const tail = length - first;
  const saving = Math.max(0, Math.min(tail, length - Math.max(even, longestItem)));
  return { onCpu, tasks: tasks.length, lengthMs: length, tailMs: tail, evenMs: even, longestItemMs: longestItem, savingMs: saving };
}

/**
 * The longest a thread must run when whole tasks are spread as evenly as they can be (the costliest
 * first, each to the least loaded thread: within 4/3 of the best split), ms.
 */
export function evenSpreadMs(tasks: TaskWork[], threads: number): number {
  const p = Math.max(1, threads);
  const load = new Float64Array(p);
  for (const w of tasks.map((t) => t.workMs).sort((a, b) => b - a)) {
    let j = 0;
    for (let i = 1; i < p; i++) if (load[i] < load[j]) j = i;
    load[j] += w;
  }
  return load.reduce((a, b) => Math.max(a, b), 0);
}
