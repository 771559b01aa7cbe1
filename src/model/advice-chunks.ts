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
import { SPAN_DERIVED } from './report';
import { cpuSeriesOf, spanCoreShares } from './cpu-time';

/** A task on a core at least this share of its time not waiting for one is CPU work (taskWorks). */
const CPU_WORK_SHARE = 0.5;

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
  const { start, end, items, flags, thread } = report.spans;
  const picked: number[] = [];
  for (const k of spans) if (!flags || (flags[k] & SPAN_DERIVED) === 0) picked.push(k);
  const series = new Map<number, ReturnType<typeof cpuSeriesOf>>();
  for (const k of picked) if (!series.has(thread[k])) series.set(thread[k], cpuSeriesOf(report, thread[k]));
  // Work terms only when every thread of the region has run-queue readings: a mix would compare wall with work.
  const onCpu = picked.length > 0 && [...series.values()].every((s) => s?.runnable !== undefined);
  const waited = new Map<number, number>(), ran = new Map<number, number>();
  if (onCpu) {
    for (const [t, ser] of series) {
      const mine = picked.filter((k) => thread[k] === t).sort((a, b) => start[a] - start[b]);
      const shares = spanCoreShares(ser!, mine.map((k) => start[k]), mine.map((k) => end[k]));
      shares.waiting.forEach((w, i) => waited.set(mine[i], w));
      shares.onCpu.forEach((c, i) => ran.set(mine[i], c));
    }
  }
  const tasks = picked.map((k): TaskWork => {
    const wall = end[k] - start[k];
    const work = Math.max(0, wall - (waited.get(k) ?? 0));
    // A task on a core most of that time is CPU work: its time neither on a core nor waiting for
    // one is the machine's (its GC waiting for helper threads that wait for a core, page faults),
    // not the task's (three 100 ms chunks read 135, 183 and 117 ms at load 5, two 60 ms messages
    // 207 ms). A task mostly off a core (timers, I/O, locks) keeps that time: it is its own.
    const cpu = ran.get(k);
    const w = cpu !== undefined && cpu >= CPU_WORK_SHARE * work ? cpu : work;
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
