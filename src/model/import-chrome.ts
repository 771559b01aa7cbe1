// Import of Trace Event Format files as reports: our own export (export-chrome.ts, restored
// field by field), Rust's tracing-chrome output (X events, B/E pairs per tid, thread_name
// metadata) and browsers' traces with Profile/ProfileChunk CPU samples. Pure.
import type { CpuProfile, CpuProfileNode, Marker, Region, Report, ThreadInfo } from './report';
import { SCHEDULES, emptySpans } from './report';
import { ReportError } from './load';
import { BUSY_COUNTER, REGION_CATEGORY, TASK_CATEGORY } from './export-chrome';
import { emptyReport, medianDelta, profileInOrder } from './import-common';

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

interface Open { name: string; cat: string; start: number; args: Record<string, unknown> | undefined; thread: string; order: number }
interface RawMarker { t: number; thread: string; kind: Marker['kind']; message: string; stack?: string }
/** A span as read; `order` is its event's index in the file (our own export keeps its span order). */
interface RawSpan { thread: string; name: string; start: number; end: number; args: Record<string, unknown> | undefined; ours: boolean; order: number }

function fail(k: number, problem: string): never {
  throw new ReportError(`traceEvents[${k}]: ${problem}`);
}

function num(x: unknown, k: number, field: string): number {
  if (typeof x !== 'number' || !Number.isFinite(x)) fail(k, `${field}: expected a number, found ${x === undefined ? 'nothing' : JSON.stringify(x)}`);
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

  const threadName = new Map<string, string>();
  const sortIndex = new Map<string, number>();
  const active = new Set<string>();
  const open = new Map<string, Open[]>();
  const asyncOpen = new Map<string, Open>();
  const spans: RawSpan[] = [];
  const regions: Region[] = [];
  const markers: RawMarker[] = [];
  const profiles = new Map<string, { thread: string; startTime: number; endTime?: number; partial: boolean; nodes: RawNode[]; samples: number[]; deltas: number[] }>();
  let minTs = Infinity, maxTs = -Infinity;
  const see = (t: number) => { if (t < minTs) minTs = t; if (t > maxTs) maxTs = t; };

  // B/E pairs match in time order per thread; a stable sort keeps the file's order on ties.
  const order = events.map((_, k) => k);
  const tsOf = (k: number) => { const t = (events[k] as RawEvent | null)?.ts; return typeof t === 'number' ? t : 0; };
  order.sort((a, b) => tsOf(a) - tsOf(b) || a - b);
  for (const k of order) {
    const e = record(events[k]) as RawEvent | undefined;
    if (!e) fail(k, 'expected an event object');
    const ph = e.ph;
    if (typeof ph !== 'string') fail(k, 'ph: expected a string');
    const thread = `${String(e.pid ?? 0)}:${String(e.tid ?? 0)}`;
    const args = record(e.args);
    const evName = typeof e.name === 'string' ? e.name : '';
    const cat = typeof e.cat === 'string' ? e.cat : '';
    if (ph === 'M') {
      if (evName === 'thread_name' && typeof args?.name === 'string') threadName.set(thread, args.name);
      else if (evName === 'thread_sort_index' && typeof args?.sort_index === 'number') sortIndex.set(thread, args.sort_index);
      continue;
    }
    if (ph === 'C' && evName === BUSY_COUNTER) continue;
    if (ph === 's' || ph === 'f' || ph === 't' || ph === 'C') continue;
    const ts = num(e.ts, k, 'ts');
    if (ph === 'X') {
      const dur = e.dur === undefined ? 0 : num(e.dur, k, 'dur');
      if (dur < 0) fail(k, `dur: expected a duration ≥ 0, found ${dur}`);
      spans.push({ thread, name: evName, start: ts, end: ts + dur, args, ours: ours && cat === TASK_CATEGORY, order: k });
      active.add(thread); see(ts); see(ts + dur);
    } else if (ph === 'B') {
      let stack = open.get(thread);
      if (!stack) open.set(thread, stack = []);
      stack.push({ name: evName, cat, start: ts, args, thread, order: k });
      active.add(thread); see(ts);
    } else if (ph === 'E') {
      const b = open.get(thread)?.pop();
      if (!b) fail(k, `E event on thread ${thread} (pid:tid) at ${ts} µs with no open B event`);
      spans.push({ thread, name: b.name, start: b.start, end: Math.max(b.start, ts), args: b.args, ours: false, order: b.order });
      see(ts);
    } else if (ph === 'b' || ph === 'e') {
      const key = `${cat}\u0000${String(e.id ?? '')}\u0000${evName}`;
      if (ph === 'b') {
        asyncOpen.set(key, { name: evName, cat, start: ts, args, thread, order: k });
        see(ts);
        continue;
      }
      const b = asyncOpen.get(key);
      if (!b) fail(k, `async end 'e' of '${evName}' (id ${String(e.id)}) with no begin 'b'`);
      asyncOpen.delete(key);
      see(ts);
      if (ours && cat === REGION_CATEGORY) regions.push(regionFrom(b, ts, String(e.id ?? '')));
      else {
        spans.push({ thread: b.thread, name: b.name, start: b.start, end: Math.max(b.start, ts), args: b.args, ours: ours && cat === TASK_CATEGORY, order: b.order });
        active.add(b.thread);
      }
    } else if (ph === 'i' || ph === 'I' || ph === 'n') {
      if (ours && cat === 'marker' && (MARKER_KINDS as string[]).includes(evName) && typeof args?.message === 'string') {
        markers.push({ t: ts, thread, kind: evName as Marker['kind'], message: args.message, ...(typeof args.stack === 'string' ? { stack: args.stack } : {}) });
        active.add(thread); see(ts);
      }
    } else if (ph === 'P' && (evName === 'Profile' || evName === 'ProfileChunk')) {
      const data = record(args?.data);
      const key = `${String(e.pid ?? 0)}\u0000${String(e.id ?? '')}`;
      let p = profiles.get(key);
      if (evName === 'Profile') {
        const startTime = data && typeof data.startTime === 'number' ? data.startTime : ts;
        if (!p) profiles.set(key, p = { thread, startTime, partial: false, nodes: [], samples: [], deltas: [] });
        else { p.thread = thread; p.startTime = startTime; }
        active.add(thread); see(startTime);
        continue;
      }
      if (!p) profiles.set(key, p = { thread, startTime: ts, partial: false, nodes: [], samples: [], deltas: [] });
      addChunk(p, data, k);
      if (data?.partial === true) p.partial = true;
      if (typeof data?.endTime === 'number') p.endTime = data.endTime;
    }
  }
  // Unclosed B events (a program that panicked or was killed) end with the trace.
  for (const stack of open.values()) for (const b of stack) spans.push({ thread: b.thread, name: b.name, start: b.start, end: Math.max(b.start, maxTs), args: b.args, ours: false, order: b.order });
  if (!Number.isFinite(minTs)) {
    if (profiles.size === 0) throw new ReportError('the trace has no spans, instants or CPU profiles to show');
    for (const p of profiles.values()) minTs = Math.min(minTs, p.startTime);
    maxTs = minTs;
  }
  for (const p of profiles.values()) active.add(p.thread);
  // Our export names every thread of the run, also those that recorded nothing here.
  if (ours) for (const t of threadName.keys()) active.add(t);

  // Our own export keeps its times (t = 0 is the run's origin); another tool's trace starts at its first event.
  const origin = ours ? 0 : minTs;
  const ids = threadIds([...active], threadName, sortIndex);
  const threads: ThreadInfo[] = [];
  const mainByName = [...active].find((t) => /^(main|CrBrowserMain|CrRendererMain)$/i.test(threadName.get(t) ?? ''));
  // Lanes in the trace's thread_sort_index order, then by id.
  const inOrder = [...active].sort((a, b) => (sortIndex.get(a) ?? Infinity) - (sortIndex.get(b) ?? Infinity) || ids.get(a)! - ids.get(b)!);
  const main = mainByName ?? inOrder.find((t) => ids.get(t) === 0);
  const life = new Map<string, { start: number; end: number }>();
  const extend = (t: string, a: number, b: number) => {
    const l = life.get(t);
    if (!l) life.set(t, { start: a, end: b });
    else { if (a < l.start) l.start = a; if (b > l.end) l.end = b; }
  };
  for (const s of spans) extend(s.thread, s.start, s.end);
  for (const m of markers) extend(m.thread, m.t, m.t);
  for (const p of profiles.values()) extend(p.thread, p.startTime, p.endTime ?? p.startTime);
  for (const t of inOrder) {
    const l = life.get(t) ?? { start: minTs, end: maxTs };
    threads.push({ id: ids.get(t)!, name: threadName.get(t) ?? (t === main ? 'main' : `thread ${t}`), kind: t === main ? 'main' : 'worker',
      start: l.start - origin, end: l.end - origin });
  }

  const report = emptyReport(name, ours ? other : undefined, origin, maxTs - origin);
  report.threads = threads;
  report.markers = markers.map((m) => ({ ...m, t: m.t - origin, thread: ids.get(m.thread)! }));
  spansInto(report, spans, ids, origin, regions, ours);
  report.profiles = [...profiles.values()].map((p) => ({
    thread: ids.get(p.thread)!, profile: toProfile(p, origin), ...(p.partial ? { partial: true } : {}),
  })).sort((a, b) => a.thread - b.thread);
  if (!ours) {
    report.meta.sampleIntervalUs = report.profiles.length ? medianDelta(report.profiles[0].profile.timeDeltas) : 0;
    report.meta.cores = Math.max(1, threads.length);
    report.meta.pool.threads = threads.filter((t) => t.kind === 'worker').length;
  }
  return report;
}

/** Report thread ids: the tids themselves when the trace has one process and small integer tids, else 0, 1, 2... */
function threadIds(active: string[], names: Map<string, string>, sortIndex: Map<string, number>): Map<string, number> {
  const split = active.map((t) => t.split(':'));
  const pids = new Set(split.map(([p]) => p));
  const ids = new Map<string, number>();
  if (pids.size <= 1 && split.every(([, tid]) => /^\d{1,9}$/.test(tid))) {
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
    c.enqueue.push(s.start - origin - (typeof a.queueWaitUs === 'number' ? a.queueWaitUs : 0)); c.start.push(s.start - origin); c.end.push(s.end - origin);
    c.stolenFrom.push(int(a.stolenFrom, -1)); c.parent.push(int(a.parent, -1)); c.failed.push(int(a.failed, 0));
    c.count++;
  }
  for (const [id, set] of threadsOf) regions.get(id)!.threads = Math.max(regions.get(id)!.threads, set.size);
  report.regions = [...regions.values()].sort((a, b) => a.id - b.id);
  report.spans = c;
}

interface RawNode { id: number; parent?: number; callFrame: CpuProfileNode['callFrame']; positionTicks?: CpuProfileNode['positionTicks'] }

function addChunk(p: { nodes: RawNode[]; samples: number[]; deltas: number[] }, data: Record<string, unknown> | undefined, k: number): void {
  const cpu = record(data?.cpuProfile);
  const nodes = cpu?.nodes;
  if (nodes !== undefined && !Array.isArray(nodes)) fail(k, 'args.data.cpuProfile.nodes: expected an array');
  for (const raw of (nodes ?? []) as unknown[]) {
    const n = record(raw);
    const cf = record(n?.callFrame);
    if (!n || !cf || typeof n.id !== 'number') fail(k, 'args.data.cpuProfile.nodes: a node without id or callFrame');
    p.nodes.push({
      id: n.id, ...(typeof n.parent === 'number' ? { parent: n.parent } : {}),
      callFrame: {
        functionName: typeof cf.functionName === 'string' ? cf.functionName : '', scriptId: String(cf.scriptId ?? '0'), url: typeof cf.url === 'string' ? cf.url : '',
        lineNumber: typeof cf.lineNumber === 'number' ? cf.lineNumber : -1, columnNumber: typeof cf.columnNumber === 'number' ? cf.columnNumber : -1,
      },
      ...(Array.isArray(n.positionTicks) ? { positionTicks: n.positionTicks as CpuProfileNode['positionTicks'] } : {}),
    });
  }
  const samples = cpu?.samples ?? [];
  const deltas = data?.timeDeltas ?? [];
  if (!Array.isArray(samples) || !Array.isArray(deltas) || samples.length !== deltas.length) {
    fail(k, `ProfileChunk: expected as many timeDeltas as samples, found ${Array.isArray(deltas) ? deltas.length : 'none'} for ${Array.isArray(samples) ? samples.length : 'none'}`);
  }
  for (let i = 0; i < samples.length; i++) {
    if (typeof samples[i] !== 'number' || typeof deltas[i] !== 'number') fail(k, `ProfileChunk sample ${i}: expected numbers`);
    p.samples.push(samples[i] as number);
    p.deltas.push(deltas[i] as number);
  }
}

/** Chunk nodes (parent links) as a CPU profile (children lists), times rebased to the origin. */
function toProfile(p: { startTime: number; endTime?: number; nodes: RawNode[]; samples: number[]; deltas: number[] }, origin: number): CpuProfile {
  const byId = new Map<number, CpuProfileNode>();
  const nodes: CpuProfileNode[] = p.nodes.map((n) => {
    const node: CpuProfileNode = { id: n.id, callFrame: n.callFrame, ...(n.positionTicks ? { positionTicks: n.positionTicks } : {}) };
    byId.set(n.id, node);
    return node;
  });
  for (const n of p.nodes) {
    if (n.parent === undefined) continue;
    const up = byId.get(n.parent);
    if (!up) throw new ReportError(`ProfileChunk: node ${n.id} names parent ${n.parent}, which is not in the profile`);
    (up.children ??= []).push(n.id);
  }
  let t = p.startTime;
  for (const d of p.deltas) t += d;
  const profile = { nodes, startTime: p.startTime - origin, endTime: Math.max(p.endTime ?? t, p.startTime) - origin, samples: p.samples, timeDeltas: p.deltas };
  return profileInOrder(profile, 'ProfileChunk');
}
