// Export to the Trace Event Format (chrome://tracing, Perfetto, Chrome DevTools, Firefox Profiler).
// Pure: a report in, a JSON-ready object out. import-chrome.ts reads it back (and reads other
// tools' traces). Times are µs from the report origin, the unit the format expects.
import type { CpuProfile, Report } from './report';
import { tasksAreQueued } from './report';
import { distinctThreadNames } from './processes';

/** One Trace Event Format event; times in µs from the report origin. */
export interface TraceEvent {
  name: string;
  /**
   * 'X' complete, 'B'/'E' begin/end, 'b'/'e' async begin/end, 'i' instant, 'M' metadata,
   * 'C' counter, 's'/'f' flow start/finish, 'P' sample data (Profile, ProfileChunk).
   */
  ph: 'X' | 'B' | 'E' | 'b' | 'e' | 'i' | 'M' | 'C' | 's' | 'f' | 'P';
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  cat?: string;
  id?: string | number;
  /** Scope of an instant event: 't' thread. */
  s?: 't';
  /** Flow finish binding: 'e' binds to the slice enclosing ts (not the next one). */
  bp?: 'e';
  args?: Record<string, unknown>;
}

export interface ChromeTrace {
  traceEvents: TraceEvent[];
  displayTimeUnit: 'ms';
  /** The run's meta fields (strings and numbers), so that import-chrome restores them. */
  otherData: Record<string, string | number>;
}

export interface ChromeTraceOptions {
  /** Add each thread's CPU profile as Profile/ProfileChunk events (default false). */
  profiles?: boolean;
  /** Add flow arrows: submit → run and steals (default true). */
  flows?: boolean;
  /** Add the busy-threads counter and each thread's event-loop utilization counter (default true). */
  counters?: boolean;
}

/** The pid of a report of one process (no `processes`); a report with `processes` uses their real pids. Thread ids are the report's either way (unique across processes). */
export const TRACE_PID = 1;
/** Category of task spans; import-chrome restores span columns from their args. */
export const TASK_CATEGORY = 'task';
export const REGION_CATEGORY = 'region';
export const PROFILE_CATEGORY = 'disabled-by-default-v8.cpu_profiler';
/** Name of the counter that counts threads inside a task span. */
export const BUSY_COUNTER = 'busy threads';
/** Prefix of each thread's event-loop utilization counter ('ELU worker 1'). */
export const ELU_COUNTER = 'ELU';

/** Span args as import-chrome reads them back. */
export interface TaskArgs {
  region: number; index: number; first: number; items: number;
  /** start − enqueue of a queued task (fork-join, third-party pools): a wait in a queue. */
  queueWaitUs?: number;
  /** start − operation start of a chunk the threads pulled (map/forEach/reduce): its place in line, not a wait. */
  sinceOperationStartUs?: number;
  stolenFrom: number; parent: number; failed: number;
  /** SpanColumns.flags when not 0 (a message handled concurrently, a wait not known, busy time read from samples). */
  flags?: number;
}

/**
 * The report as a Trace Event Format object: a named lane per thread (M events); each span a
 * complete 'X' event named after its region where the spans of its thread nest, or an async
 * 'b'/'e' pair where it overlaps another without nesting (an X event there would break the
 * stack Perfetto and DevTools build per thread); regions as async spans on the main lane;
 * markers as instant events; 'C' counters of busy threads and of each thread's event-loop
 * utilization; flows ('s'/'f') from the submit of
 * each queued task and from the victim of each steal to the span that ran it. With `profiles`,
 * each CPU profile as Profile/ProfileChunk events (the shape Chrome writes) with node ids made
 * unique across threads: Firefox Profiler's importer keys nodes by id over the whole trace.
 */
export function toChromeTrace(report: Report, options?: ChromeTraceOptions): ChromeTrace {
  const ev: TraceEvent[] = [];
  // Several processes: each its own pid and name; a region's lane is its process's main thread.
  const processes = report.processes ?? [];
  const mainOf = new Map<number, number>();
  for (const t of report.threads) if (t.kind === 'main' && t.process !== undefined && !mainOf.has(t.process)) mainOf.set(t.process, t.id);
  const regionLane = (r: { process?: number }): number => (r.process !== undefined ? mainOf.get(r.process) ?? 0 : 0);
  if (processes.length === 0) ev.push({ name: 'process_name', ph: 'M', pid: TRACE_PID, tid: 0, ts: 0, args: { name: `parprof ${report.meta.script}` } });
  processes.forEach((p, k) => {
    // `process`: the whole entry, for import-chrome (viewers read `name` only); the event's tid is the process's main thread.
    ev.push({ name: 'process_name', ph: 'M', pid: p.pid, tid: mainOf.get(p.pid) ?? 0, ts: 0, args: { name: k === 0 ? `parprof ${report.meta.script}` : p.title, process: p } });
    ev.push({ name: 'process_sort_index', ph: 'M', pid: p.pid, tid: mainOf.get(p.pid) ?? 0, ts: 0, args: { sort_index: k } });
  });
  const threadNames = distinctThreadNames(report);
  report.threads.forEach((t, k) => {
    ev.push({ name: 'thread_name', ph: 'M', pid: TRACE_PID, tid: t.id, ts: 0, args: { name: threadNames.get(t.id) ?? t.name } });
    ev.push({ name: 'thread_sort_index', ph: 'M', pid: TRACE_PID, tid: t.id, ts: 0, args: { sort_index: k } });
  });
  const regionName = new Map(report.regions.map((r) => [r.id, r.name]));
  const regionKind = new Map(report.regions.map((r) => [r.id, r.kind]));
  for (const r of report.regions) {
    const id = `region-${r.id}`;
    const args = { kind: r.kind, fn: r.fn, pool: r.pool, schedule: r.schedule, threads: r.threads, items: r.items, chunkSize: r.chunkSize, outcome: r.outcome };
    ev.push({ name: r.name, ph: 'b', cat: REGION_CATEGORY, id, pid: TRACE_PID, tid: regionLane(r), ts: r.start, args });
    ev.push({ name: r.name, ph: 'e', cat: REGION_CATEGORY, id, pid: TRACE_PID, tid: regionLane(r), ts: r.end ?? Math.max(r.start, report.meta.durationUs) });
  }
  const s = report.spans;
  const nested = nestingSpans(report);
  // In start order (an enclosing span first): Perfetto wants the X events of a thread in ts
  // order, and a report lists a fork-join parent after the children that ended before it.
  const byStart = Array.from({ length: s.count }, (_, i) => i).sort((a, b) => s.start[a] - s.start[b] || s.end[b] - s.end[a] || a - b);
  let asyncId = 0;
  for (const i of byStart) {
    const name = regionName.get(s.region[i]) ?? `region ${s.region[i]}`;
    const waited = Math.max(0, s.start[i] - s.enqueue[i]);
    const args: TaskArgs = { region: s.region[i], index: s.index[i], first: s.first[i], items: s.items[i],
      ...(tasksAreQueued(regionKind.get(s.region[i]) ?? 'external') ? { queueWaitUs: waited } : { sinceOperationStartUs: waited }),
      stolenFrom: s.stolenFrom[i], parent: s.parent[i], failed: s.failed[i], ...(s.flags?.[i] ? { flags: s.flags[i] } : {}) };
    if (nested[i]) {
      ev.push({ name, cat: TASK_CATEGORY, ph: 'X', pid: TRACE_PID, tid: s.thread[i], ts: s.start[i], dur: s.end[i] - s.start[i], args: args as unknown as Record<string, unknown> });
    } else {
      const id = `span-${asyncId++}`;
      ev.push({ name, cat: TASK_CATEGORY, ph: 'b', id, pid: TRACE_PID, tid: s.thread[i], ts: s.start[i], args: args as unknown as Record<string, unknown> });
      ev.push({ name, cat: TASK_CATEGORY, ph: 'e', id, pid: TRACE_PID, tid: s.thread[i], ts: s.end[i] });
    }
  }
  for (const m of report.markers) {
    ev.push({ name: m.kind, cat: 'marker', ph: 'i', s: 't', pid: TRACE_PID, tid: m.thread, ts: m.t, args: { message: m.message, ...(m.stack ? { stack: m.stack } : {}) } });
  }
  // Appended one by one: a spread of a million events overflows the stack.
  const add = (more: TraceEvent[]) => { for (const e of more) ev.push(e); };
  if (options?.counters ?? true) {
    add(busyCounter(report));
    add(eluCounters(report));
  }
  if (options?.flows ?? true) add(flows(report, byStart));
  if (options?.profiles) add(profileEvents(report));
  if (processes.length > 0) {
    // Every event on the pid of its thread's process (thread ids are unique across processes);
    // the run-wide counter on the script's.
    const pidOf = new Map(report.threads.map((t) => [t.id, t.process ?? processes[0].pid]));
    for (const e of ev) if (e.name !== 'process_name' && e.name !== 'process_sort_index') e.pid = pidOf.get(e.tid) ?? processes[0].pid;
  }
  return { traceEvents: ev, displayTimeUnit: 'ms', otherData: metaData(report) };
}

/** The run's meta as flat strings and numbers (otherData), read back by import-chrome. */
function metaData(report: Report): Record<string, string | number> {
  const m = report.meta;
  return {
    script: m.script, args: JSON.stringify(m.args), cwd: m.cwd, nodeVersion: m.nodeVersion, nodePath: m.nodePath, cores: m.cores, platform: m.platform,
    startedAt: m.startedAt, originUs: m.originUs, durationUs: m.durationUs, poolThreads: m.pool.threads, poolSchedule: m.pool.schedule,
    sampleIntervalUs: m.sampleIntervalUs, recorder: m.recorder, exit: JSON.stringify(report.exit),
  };
}

/**
 * For each span, whether it nests with the other spans of its thread (every pair is disjoint or
 * one contains the other), so it can be an X event. Per thread, in start order (longer first on
 * ties) with a stack of open spans: O(n log n).
 */
export function nestingSpans(report: Report): boolean[] {
  const s = report.spans;
  const ok = new Array<boolean>(s.count).fill(true);
  const order = Array.from({ length: s.count }, (_, i) => i)
    .sort((a, b) => s.thread[a] - s.thread[b] || s.start[a] - s.start[b] || s.end[b] - s.end[a] || a - b);
  let stack: number[] = [];
  let thread = NaN;
  for (const i of order) {
    if (s.thread[i] !== thread) { thread = s.thread[i]; stack = []; }
    while (stack.length && s.end[stack[stack.length - 1]] <= s.start[i]) stack.pop();
    const top = stack[stack.length - 1];
    if (top !== undefined && s.end[i] > s.end[top]) {
      // Overlaps the open span without being inside it: neither is a clean stack frame.
      ok[i] = false;
      ok[top] = false;
      continue;
    }
    stack.push(i);
  }
  return ok;
}

/** Threads inside at least one task span, as a step counter on the main lane. */
function busyCounter(report: Report): TraceEvent[] {
  const s = report.spans;
  if (s.count === 0) return [];
  // Per-thread depth, so that a thread with nested spans counts once.
  const edges: { t: number; thread: number; d: number }[] = [];
  for (let i = 0; i < s.count; i++) {
    edges.push({ t: s.start[i], thread: s.thread[i], d: 1 }, { t: s.end[i], thread: s.thread[i], d: -1 });
  }
  edges.sort((a, b) => a.t - b.t || a.d - b.d);
  const depth = new Map<number, number>();
  const out: TraceEvent[] = [];
  let busy = 0;
  for (let k = 0; k < edges.length; k++) {
    const e = edges[k];
    const before = depth.get(e.thread) ?? 0;
    depth.set(e.thread, before + e.d);
    if (before === 0 && e.d > 0) busy++;
    else if (before === 1 && e.d < 0) busy--;
    if (k + 1 < edges.length && edges[k + 1].t === e.t) continue;
    if (out.length && out[out.length - 1].args!.busy === busy) continue;
    out.push({ name: BUSY_COUNTER, ph: 'C', pid: TRACE_PID, tid: 0, ts: e.t, args: { busy } });
  }
  return out;
}

/** Each thread's event-loop utilization (0..1 over the window ending at t) as a counter of its own. */
function eluCounters(report: Report): TraceEvent[] {
  const names = distinctThreadNames(report);
  const out: TraceEvent[] = [];
  for (const series of report.elu) {
    const name = `${ELU_COUNTER} ${names.get(series.thread) ?? `thread ${series.thread}`}`;
    for (let k = 0; k < series.t.length; k++) out.push({ name, ph: 'C', pid: TRACE_PID, tid: series.thread, ts: series.t[k], args: { elu: series.u[k] } });
  }
  return out;
}

/**
 * Flow arrows, named 'submit' and 'steal'. A queued task (one with a parent, or of an external
 * pool) from the moment it was submitted to its start: on the parent's thread for fork-join, else
 * on the main lane. Chunks of an operation are not submitted one by one (the threads pull them):
 * one arrow per thread from the operation's start on the main lane to that thread's first task of
 * it. (A report does not say which thread called an operation; the main lane, where the region
 * is drawn, stands for it.) A steal from the victim's lane to the thief's span.
 */
function flows(report: Report, byStart: number[]): TraceEvent[] {
  const s = report.spans;
  const out: TraceEvent[] = [];
  const external = new Set(report.regions.filter((r) => r.kind === 'external').map((r) => r.id));
  // Thread that ran each (region, task index): where a fork-join child was spawned.
  const parentThread = new Map<string, number>();
  for (let i = 0; i < s.count; i++) parentThread.set(`${s.region[i]}:${s.index[i]}`, s.thread[i]);
  const regionStart = new Map(report.regions.map((r) => [r.id, r.start]));
  // The lane of a region's own process's main thread (0 in a report of one process).
  const mainOf = new Map<number, number>();
  for (const t of report.threads) if (t.kind === 'main' && t.process !== undefined && !mainOf.has(t.process)) mainOf.set(t.process, t.id);
  const regionLane = new Map(report.regions.map((r) => [r.id, r.process !== undefined ? mainOf.get(r.process) ?? 0 : 0]));
  const reached = new Set<string>();
  let id = 0;
  for (const i of byStart) {
    const queued = s.parent[i] >= 0 || external.has(s.region[i]);
    const key = `${s.region[i]}:${s.thread[i]}`;
    if (!queued && !reached.has(key)) {
      reached.add(key);
      id++;
      out.push({ name: 'submit', cat: 'flow', ph: 's', id, pid: TRACE_PID, tid: regionLane.get(s.region[i]) ?? 0, ts: Math.min(regionStart.get(s.region[i]) ?? s.start[i], s.start[i]) });
      out.push({ name: 'submit', cat: 'flow', ph: 'f', bp: 'e', id, pid: TRACE_PID, tid: s.thread[i], ts: s.start[i] });
    }
    if (queued) {
      const lane = regionLane.get(s.region[i]) ?? 0;
      const from = s.parent[i] >= 0 ? parentThread.get(`${s.region[i]}:${s.parent[i]}`) ?? lane : lane;
      id++;
      out.push({ name: 'submit', cat: 'flow', ph: 's', id, pid: TRACE_PID, tid: from, ts: Math.min(s.enqueue[i], s.start[i]) });
      out.push({ name: 'submit', cat: 'flow', ph: 'f', bp: 'e', id, pid: TRACE_PID, tid: s.thread[i], ts: s.start[i] });
    }
    if (s.stolenFrom[i] >= 0) {
      id++;
      out.push({ name: 'steal', cat: 'flow', ph: 's', id, pid: TRACE_PID, tid: s.stolenFrom[i], ts: s.start[i] });
      out.push({ name: 'steal', cat: 'flow', ph: 'f', bp: 'e', id, pid: TRACE_PID, tid: s.thread[i], ts: s.start[i] });
    }
  }
  return out;
}

/**
 * Each profile as a Profile event and one ProfileChunk. Node ids are shifted where they would
 * repeat an id of an earlier thread (V8 numbers every thread's nodes from 1); ids already
 * unique (an imported trace) are kept, so export → import → export is stable.
 */
function profileEvents(report: Report): TraceEvent[] {
  const out: TraceEvent[] = [];
  let maxId = 0;
  report.profiles.forEach((tp, k) => {
    const p = tp.profile;
    let minId = Infinity, top = 0;
    for (const n of p.nodes) { if (n.id < minId) minId = n.id; if (n.id > top) top = n.id; }
    const shift = p.nodes.length && minId <= maxId ? maxId - minId + 1 : 0;
    if (p.nodes.length) maxId = top + shift;
    const id = `0x${(k + 1).toString(16)}`;
    out.push({ name: 'Profile', ph: 'P', cat: PROFILE_CATEGORY, id, pid: TRACE_PID, tid: tp.thread, ts: p.startTime, args: { data: { startTime: p.startTime } } });
    out.push({
      name: 'ProfileChunk', ph: 'P', cat: PROFILE_CATEGORY, id, pid: TRACE_PID, tid: tp.thread, ts: p.startTime,
      args: { data: { cpuProfile: chunkProfile(p, shift), timeDeltas: p.timeDeltas, endTime: p.endTime, ...(tp.partial ? { partial: true } : {}) } },
    });
  });
  return out;
}

function chunkProfile(p: CpuProfile, shift: number): { nodes: unknown[]; samples: number[] } {
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const nodes = p.nodes.map((n) => {
    const up = parent.get(n.id);
    return {
      id: n.id + shift, callFrame: n.callFrame, ...(up !== undefined ? { parent: up + shift } : {}),
      ...(n.positionTicks?.length ? { positionTicks: n.positionTicks } : {}),
    };
  });
  return { nodes, samples: shift ? p.samples.map((x) => x + shift) : p.samples };
}
