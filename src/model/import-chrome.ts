// Import of Trace Event Format files as reports: our own export (export-chrome.ts, restored
// field by field), Rust's tracing-chrome output (X events, B/E pairs per tid, thread_name
// metadata) and browsers' traces with Profile/ProfileChunk CPU samples. Pure.
import type { Marker, ProcessInfo, Region, Report, ThreadInfo } from './report';
import { SCHEDULES, emptySpans } from './report';
import { ReportError } from './load';
import { MAX_TIME_US } from './limits';
import { ELU_COUNTER, REGION_CATEGORY, TASK_CATEGORY } from './export-chrome';
import { emptyReport, medianDelta, placeholderMachine } from './import-common';
import { addChunk, toProfile, type ProfileParts } from './import-chrome-profile';

interface RawEvent {
  name?: unknown; ph?: unknown; pid?: unknown; tid?: unknown; ts?: unknown; dur?: unknown; cat?: unknown; id?: unknown; args?: unknown;
}

/** The event list of a trace: `{traceEvents: [...]}` or a bare array; undefined when it is neither. */
function traceEventsOf(json: unknown): unknown[] | undefined {
  if (Array.isArray(json)) {
    const first = json[0];
    return json.length === 0 || (typeof first === 'object' && first !== null && typeof (first as RawEvent).ph === 'string') ? json : undefined;
  }
  if (typeof json === 'object' && json !== null && Array.isArray((json as { traceEvents?: unknown }).traceEvents)) return (json as { traceEvents: unknown[] }).traceEvents;
  return undefined;
}

const MARKER_KINDS: readonly Marker['kind'][] = ['error', 'exit', 'worker-exit', 'worker-error', 'cancelled', 'killed', 'note'];

/** A begin not yet ended; `id` is an async event's id. */
interface Open { name: string; cat: string; start: number; args: Record<string, unknown> | undefined; thread: string; order: number; id?: string }
interface RawMarker { t: number; thread: string; kind: Marker['kind']; message: string; stack?: string }
/** A span as read; `order` is its event's index in the file (our own export keeps its span order). */
interface RawSpan { thread: string; name: string; start: number; end: number; args: Record<string, unknown> | undefined; ours: boolean; order: number }

function fail(k: number, problem: string): never {
  throw new ReportError(`traceEvents[${k}]: ${problem}`);
}

/** A time or duration of event k, µs; beyond ±2^53 (MAX_TIME_US) differences of times lose their meaning. */
function num(x: unknown, k: number, field: string): number {
  if (typeof x !== 'number' || !Number.isFinite(x)) fail(k, `${field}: expected a number, found ${x === undefined ? 'nothing' : JSON.stringify(x)}`);
  if (Math.abs(x) > MAX_TIME_US) fail(k, `${field}: expected a number within ±2^53, found ${x}`);
  return x;
}

function record(x: unknown): Record<string, unknown> | undefined {
  return typeof x === 'object' && x !== null && !Array.isArray(x) ? x as Record<string, unknown> : undefined;
}

/**
 * A Chrome trace as a report, or undefined when `json` is no trace. Throws ReportError naming the
 * event when it is one but malformed (an event without a numeric ts, an E with no open B).
 */
export function importChromeTrace(json: unknown, name = 'imported trace'): Report | undefined {
  const events = traceEventsOf(json);
  if (!events) return undefined;
  const other = record((json as { otherData?: unknown }).otherData) ?? {};
  const ours = typeof other.recorder === 'string' && typeof other.originUs === 'number';
  const reader = new TraceReader(ours);
  // B/E pairs match in time order per thread; a stable sort keeps the file's order on ties.
  const tsOf = (k: number) => { const t = (events[k] as RawEvent | null)?.ts; return typeof t === 'number' ? t : 0; };
  const order = events.map((_, k) => k).sort((a, b) => tsOf(a) - tsOf(b) || a - b);
  for (const k of order) reader.read(events[k], k);
  return reader.report(name, ours ? other : undefined);
}

/** What the events of a trace say, gathered event by event; `report` turns it into a report. */
class TraceReader {
  private readonly threadName = new Map<string, string>();
  private readonly sortIndex = new Map<string, number>();
  private readonly processes: { lane: string; info: ProcessInfo }[] = [];
  /** The lane ('pid:tid') each of our regions was drawn on: its process's main thread. */
  private readonly regionLane = new Map<number, string>();
  /** Threads with something to show, as 'pid:tid'. */
  private readonly active = new Set<string>();
  private readonly open = new Map<string, Open[]>();
  /** Open async begins per (pid, cat, id, name): nestable async events close innermost first. */
  private readonly asyncOpen = new Map<string, Open[]>();
  private readonly spans: RawSpan[] = [];
  private readonly regions: Region[] = [];
  private readonly markers: RawMarker[] = [];
  private readonly profiles = new Map<string, ProfileParts>();
  /** Our export's event-loop utilization counters, per thread; `order` keeps the report's series order. */
  private readonly eluSeries = new Map<string, { t: number[]; u: number[]; order: number }>();
  private minTs = Infinity;
  private maxTs = -Infinity;
  /** The events that hold minTs and maxTs, to name them when the trace spans more than 2^53 µs. */
  private minAt = -1;
  private maxAt = -1;

  constructor(private readonly ours: boolean) {}

  /** Time t (µs) of event k, its `field`: the report's times and duration are measured from these. */
  private see(t: number, k: number, field: string): void {
    if (Math.abs(t) > MAX_TIME_US) fail(k, `${field}: expected a time within ±2^53 µs, found ${t}`);
    if (t < this.minTs) { this.minTs = t; this.minAt = k; }
    if (t > this.maxTs) { this.maxTs = t; this.maxAt = k; }
  }

  /** Event k of the file. */
  read(raw: unknown, k: number): void {
    const e = record(raw) as RawEvent | undefined;
    if (!e) fail(k, 'expected an event object');
    const ph = e.ph;
    if (typeof ph !== 'string') fail(k, 'ph: expected a string');
    const thread = `${String(e.pid ?? 0)}:${String(e.tid ?? 0)}`;
    const args = record(e.args);
    const name = typeof e.name === 'string' ? e.name : '';
    const cat = typeof e.cat === 'string' ? e.cat : '';
    if (ph === 'M') return this.metadata(thread, name, args);
    // Flows and the busy counter are derived (ours); another tool's flows and counters are not shown.
    if (ph === 's' || ph === 'f' || ph === 't') return;
    const ts = num(e.ts, k, 'ts');
    if (ph === 'C') {
      if (this.ours && name.startsWith(`${ELU_COUNTER} `) && typeof args?.elu === 'number') this.elu(thread, ts, args.elu, k);
      return;
    }
    if (ph === 'X') {
      const dur = e.dur === undefined ? 0 : num(e.dur, k, 'dur');
      if (dur < 0) fail(k, `dur: expected a duration ≥ 0, found ${dur}`);
      this.span({ thread, name, start: ts, end: ts + dur, args, ours: this.ours && cat === TASK_CATEGORY, order: k }, k, 'ts + dur');
    } else if (ph === 'B') {
      let stack = this.open.get(thread);
      if (!stack) this.open.set(thread, stack = []);
      stack.push({ name, cat, start: ts, args, thread, order: k });
      this.active.add(thread);
      this.see(ts, k, 'ts');
    } else if (ph === 'E') {
      const b = this.open.get(thread)?.pop();
      if (!b) fail(k, `E event on thread ${thread} (pid:tid) at ${ts} µs with no open B event`);
      this.span({ thread, name: b.name, start: b.start, end: Math.max(b.start, ts), args: b.args, ours: false, order: b.order }, k, 'ts');
    } else if (ph === 'b' || ph === 'e') {
      this.async(ph, `${String(e.pid ?? 0)}\u0000${cat}\u0000${String(e.id ?? '')}\u0000${name}`, { name, cat, start: ts, args, thread, order: k, id: String(e.id ?? '') }, k);
    } else if (ph === 'i' || ph === 'I' || ph === 'n') {
      if (this.ours && cat === 'marker' && (MARKER_KINDS as string[]).includes(name) && typeof args?.message === 'string') {
        this.markers.push({ t: ts, thread, kind: name as Marker['kind'], message: args.message, ...(typeof args.stack === 'string' ? { stack: args.stack } : {}) });
        this.active.add(thread);
        this.see(ts, k, 'ts');
      }
    } else if (ph === 'P' && (name === 'Profile' || name === 'ProfileChunk')) {
      this.profile(name, `${String(e.pid ?? 0)}\u0000${String(e.id ?? '')}`, thread, ts, record(args?.data), k);
    }
  }

  private elu(thread: string, t: number, u: number, k: number): void {
    let series = this.eluSeries.get(thread);
    if (!series) this.eluSeries.set(thread, series = { t: [], u: [], order: k });
    series.t.push(t);
    series.u.push(u);
  }

  private metadata(thread: string, name: string, args: Record<string, unknown> | undefined): void {
    if (name === 'thread_name' && typeof args?.name === 'string') this.threadName.set(thread, args.name);
    else if (name === 'thread_sort_index' && typeof args?.sort_index === 'number') this.sortIndex.set(thread, args.sort_index);
    // Our export of a run of several processes: each process's entry, on its main thread's lane.
    else if (name === 'process_name' && this.ours && record(args?.process)) this.processes.push({ lane: thread, info: args!.process as ProcessInfo });
  }

  /** Span s, whose end is `field` of event k. */
  private span(s: RawSpan, k: number, field: string): void {
    this.spans.push(s);
    this.active.add(s.thread);
    this.see(s.start, s.order, 'ts');
    this.see(s.end, k, field);
  }

  /** An async begin or end; our regions are async pairs on the main lane, everything else a span. */
  private async(ph: 'b' | 'e', key: string, at: Open, k: number): void {
    this.see(at.start, k, 'ts');
    let stack = this.asyncOpen.get(key);
    if (ph === 'b') {
      if (!stack) this.asyncOpen.set(key, stack = []);
      stack.push(at);
      return;
    }
    // Nestable async events of one key close innermost first (Trace Event Format). The innermost
    // begin on the end's own thread is taken when there is one: Node's --trace-events-enabled
    // writes its main thread's and its workers' async resources in one pid with ids counted per
    // thread, so the same key on two threads is two resources. The search stops at the first
    // match from the top, so it costs the depth of overlapping begins, not the file's size.
    if (!stack) fail(k, `async end 'e' of '${at.name}' (id ${at.id}) with no begin 'b'`);
    let j = stack.length - 1;
    while (j >= 0 && stack[j].thread !== at.thread) j--;
    const b = stack.splice(j >= 0 ? j : stack.length - 1, 1)[0];
    if (stack.length === 0) this.asyncOpen.delete(key);
    this.closeAsync(b, Math.max(b.start, at.start), k);
  }

  /** Begin b ended at `end`, the time of event k. */
  private closeAsync(b: Open, end: number, k: number): void {
    if (this.ours && b.cat === REGION_CATEGORY) {
      const region = regionFrom(b, end, b.id ?? '');
      this.regions.push(region);
      this.regionLane.set(region.id, b.thread);
    }
    else this.span({ thread: b.thread, name: b.name, start: b.start, end, args: b.args, ours: this.ours && b.cat === TASK_CATEGORY, order: b.order }, k, 'ts');
  }

  private profile(name: 'Profile' | 'ProfileChunk', key: string, thread: string, ts: number, data: Record<string, unknown> | undefined, k: number): void {
    let p = this.profiles.get(key);
    if (name === 'Profile') {
      const startTime = data && typeof data.startTime === 'number' ? data.startTime : ts;
      if (!p) this.profiles.set(key, p = { thread, startTime, partial: false, nodes: [], samples: [], deltas: [], order: k });
      else Object.assign(p, { thread, startTime, order: k });
      this.active.add(thread);
      this.see(startTime, k, data && typeof data.startTime === 'number' ? 'args.data.startTime' : 'ts');
      return;
    }
    if (!p) {
      // A chunk before (or without) its Profile event: its ts stands for the start.
      this.profiles.set(key, p = { thread, startTime: ts, partial: false, nodes: [], samples: [], deltas: [], order: k });
      this.active.add(thread);
      this.see(ts, k, 'ts');
    }
    addChunk(p, data, k);
  }

  report(name: string, other: Record<string, unknown> | undefined): Report {
    // Unclosed B events (a program that panicked or was killed) end with the trace.
    for (const stack of this.open.values()) for (const b of stack) this.spans.push({ ...b, end: Math.max(b.start, this.maxTs), ours: false });
    // So do unclosed async begins (a request still in flight when tracing stopped).
    for (const stack of this.asyncOpen.values()) for (const b of stack) this.closeAsync(b, Math.max(b.start, this.maxTs), this.maxAt);
    if (!Number.isFinite(this.minTs)) throw new ReportError('the trace has no spans, instants or CPU profiles to show');
    // The report's duration is last − first; each within ±2^53 can still be 2^54 apart.
    if (this.maxTs - this.minTs > MAX_TIME_US) fail(this.maxAt, `ts: ${this.maxTs} µs is more than 2^53 µs after traceEvents[${this.minAt}]'s ${this.minTs} µs`);
    for (const p of this.profiles.values()) this.active.add(p.thread);
    // Our export names every thread of the run, also those that recorded nothing here.
    if (this.ours) for (const t of [...this.threadName.keys(), ...this.eluSeries.keys()]) this.active.add(t);
    // Our own export keeps its times (t = 0 is the run's origin); another tool's trace starts at its first event.
    const origin = this.ours ? 0 : this.minTs;
    const ids = threadIds([...this.active], this.threadName, this.sortIndex, this.ours);
    const report = emptyReport(name, other, origin, this.maxTs - origin);
    report.threads = this.threads(ids, origin);
    report.markers = this.markers.map((m) => ({ ...m, t: m.t - origin, thread: ids.get(m.thread)! }));
    report.elu = [...this.eluSeries].sort((a, b) => a[1].order - b[1].order).map(([t, e]) => ({ thread: ids.get(t)!, t: e.t.map((x) => x - origin), u: e.u }));
    spansInto(report, this.spans, ids, origin, this.regions, this.ours);
    const profiles = [...this.profiles.values()].sort((a, b) => (this.ours ? a.order - b.order : ids.get(a.thread)! - ids.get(b.thread)!));
    report.profiles = profiles.map((p) => ({ thread: ids.get(p.thread)!, profile: toProfile(p, origin), ...(p.partial ? { partial: true } : {}) }));
    if (this.processes.length > 0) this.restoreProcesses(report, ids);
    if (!this.ours) {
      report.meta.sampleIntervalUs = report.profiles.length ? medianDelta(report.profiles[0].profile.timeDeltas) : 0;
      placeholderMachine(report);
    }
    return report;
  }

  /**
   * Our export of several processes: `processes` back from the process_name events (checked by
   * the loader like any report's), each thread's and region's process from its event's pid, and
   * the thread each process_name event was on is that process's main thread.
   */
  private restoreProcesses(report: Report, ids: Map<string, number>): void {
    report.processes = this.processes.map((p) => p.info);
    const pidOf = new Map<number, number>();
    for (const [key, id] of ids) pidOf.set(id, Number(key.split(':')[0]));
    const mains = new Set(this.processes.map((p) => ids.get(p.lane)));
    for (const t of report.threads) {
      const pid = pidOf.get(t.id);
      if (pid !== undefined) t.process = pid;
      t.kind = mains.has(t.id) ? 'main' : 'worker';
    }
    for (const r of report.regions) {
      const lane = this.regionLane.get(r.id);
      if (lane !== undefined) r.process = Number(lane.split(':')[0]);
    }
  }

  /** Threads in the trace's thread_sort_index order, then by id; each lives from its first to its last event. */
  private threads(ids: Map<string, number>, origin: number): ThreadInfo[] {
    const active = [...this.active];
    const inOrder = active.sort((a, b) => (this.sortIndex.get(a) ?? Infinity) - (this.sortIndex.get(b) ?? Infinity) || ids.get(a)! - ids.get(b)!);
    const main = inOrder.find((t) => /^(main|CrBrowserMain|CrRendererMain|JavaScriptMainThread)$/i.test(this.threadName.get(t) ?? '')) ?? inOrder.find((t) => ids.get(t) === 0);
    const life = new Map<string, { start: number; end: number }>();
    const extend = (t: string, a: number, b: number) => {
      const l = life.get(t);
      if (!l) life.set(t, { start: a, end: b });
      else { if (a < l.start) l.start = a; if (b > l.end) l.end = b; }
    };
    for (const s of this.spans) extend(s.thread, s.start, s.end);
    for (const m of this.markers) extend(m.thread, m.t, m.t);
    for (const p of this.profiles.values()) extend(p.thread, p.startTime, p.endTime ?? p.startTime);
    return inOrder.map((t) => {
      const l = life.get(t) ?? { start: this.minTs, end: this.maxTs };
      return { id: ids.get(t)!, name: this.threadName.get(t) ?? (t === main ? 'main' : `thread ${t.split(':')[1]}`), kind: t === main ? 'main' : 'worker',
        start: l.start - origin, end: l.end - origin };
    });
  }
}

/**
 * Report thread ids: the tids themselves when the trace has one process and small integer tids,
 * or is ours (our tids are the report's thread ids, unique across its processes); else 0, 1, 2...
 */
function threadIds(active: string[], names: Map<string, string>, sortIndex: Map<string, number>, ours: boolean): Map<string, number> {
  const split = active.map((t) => t.split(':'));
  const pids = new Set(split.map(([p]) => p));
  const ids = new Map<string, number>();
  const uniqueTids = new Set(split.map(([, tid]) => tid)).size === split.length;
  if ((pids.size <= 1 || (ours && uniqueTids)) && split.every(([, tid]) => /^\d{1,9}$/.test(tid))) {
    for (const t of active) ids.set(t, Number(t.split(':')[1]));
    return ids;
  }
  const sorted = [...active].sort((a, b) => (sortIndex.get(a) ?? Infinity) - (sortIndex.get(b) ?? Infinity) || a.localeCompare(b, 'en', { numeric: true }));
  sorted.forEach((t, k) => {
    ids.set(t, k);
    if (pids.size > 1) names.set(t, `${names.get(t) ?? `thread ${t.split(':')[1]}`} (pid ${t.split(':')[0]})`);
  });
  return ids;
}

function regionFrom(b: Open, end: number, id: string): Region {
  const a = b.args ?? {};
  const n = /^region-(\d+)$/.exec(id);
  const int = (x: unknown, dflt = 0) => (typeof x === 'number' && Number.isSafeInteger(x) ? x : dflt);
  const schedule = [...SCHEDULES, 'external'].includes(a.schedule as string) ? a.schedule as Region['schedule'] : 'external';
  return {
    id: n ? Number(n[1]) : -1, name: b.name, kind: (['map', 'forEach', 'reduce', 'join', 'external'].includes(a.kind as string) ? a.kind : 'external') as Region['kind'],
    pool: int(a.pool), fn: typeof a.fn === 'string' ? a.fn : b.name, schedule, threads: int(a.threads), items: int(a.items), chunkSize: int(a.chunkSize),
    start: b.start, ...(a.outcome === 'unfinished' ? {} : { end }), outcome: (['ok', 'error', 'cancelled', 'unfinished'].includes(a.outcome as string) ? a.outcome : 'ok') as Region['outcome'],
  };
}

/** Spans into the report's columns; another tool's spans get one region per span name. */
function spansInto(report: Report, spans: RawSpan[], ids: Map<string, number>, origin: number, ourRegions: Region[], ours: boolean): void {
  if (ours) spans.sort((a, b) => a.order - b.order);
  else spans.sort((a, b) => a.start - b.start || b.end - a.end || a.thread.localeCompare(b.thread) || a.order - b.order);
  const regions = new Map<number, Region>(ourRegions.map((r) => [r.id, { ...r, start: r.start - origin, ...(r.end !== undefined ? { end: r.end - origin } : {}) }]));
  const byName = new Map<string, Region>();
  const threadsOf = new Map<number, Set<number>>();
  const c = emptySpans();
  const flags: number[] = [];
  const nextIndex = new Map<number, number>();
  for (const s of spans) {
    const thread = ids.get(s.thread)!;
    const a = s.ours ? s.args ?? {} : {};
    let region: Region | undefined = typeof a.region === 'number' ? regions.get(a.region) : undefined;
    if (!region) {
      region = byName.get(s.name);
      if (!region) {
        region = { id: regions.size, name: s.name, kind: 'external', pool: 0, fn: s.name, schedule: 'external', threads: 0, items: 0, chunkSize: 0,
          start: s.start - origin, end: s.end - origin, outcome: 'ok' };
        while (regions.has(region.id)) region.id++;
        regions.set(region.id, region);
        byName.set(s.name, region);
      }
      region.start = Math.min(region.start, s.start - origin);
      region.end = Math.max(region.end ?? 0, s.end - origin);
      let set = threadsOf.get(region.id);
      if (!set) threadsOf.set(region.id, set = new Set());
      set.add(thread);
    }
    const index = typeof a.index === 'number' ? a.index : nextIndex.get(region.id) ?? 0;
    nextIndex.set(region.id, index + 1);
    const int = (x: unknown, dflt: number) => (typeof x === 'number' && Number.isSafeInteger(x) ? x : dflt);
    c.thread.push(thread); c.region.push(region.id); c.index.push(index); c.first.push(int(a.first, 0)); c.items.push(int(a.items, 1));
    c.enqueue.push(s.start - origin - (typeof a.queueWaitUs === 'number' ? a.queueWaitUs : typeof a.sinceOperationStartUs === 'number' ? a.sinceOperationStartUs : 0)); c.start.push(s.start - origin); c.end.push(s.end - origin);
    c.stolenFrom.push(int(a.stolenFrom, -1)); c.parent.push(int(a.parent, -1)); c.failed.push(int(a.failed, 0));
    flags.push(int(a.flags, 0));
    c.count++;
  }
  // Our export writes a span's flags when it has any: busy time read from samples stays no task.
  if (flags.some((f) => f !== 0)) c.flags = flags;
  for (const [id, set] of threadsOf) regions.get(id)!.threads = Math.max(regions.get(id)!.threads, set.size);
  report.regions = [...regions.values()].sort((a, b) => a.id - b.id);
  report.spans = c;
}
