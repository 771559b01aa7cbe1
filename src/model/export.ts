// Export to the Trace Event Format (read by Perfetto, chrome://tracing and Chrome DevTools) and
// import of plain V8 .cpuprofile files as one-thread reports.
import type { CpuProfile, Report } from './report';
import { REPORT_FORMAT, REPORT_VERSION, emptySpans } from './report';
import { ReportError, decodeReportText, parseJson, validateCpuProfile, validateReport } from './load';
import type { ParseOptions } from './load';

/** One Trace Event Format event; times in µs from the report origin. */
export interface TraceEvent {
  name: string;
  /** 'X' complete, 'i' instant, 'M' metadata, 'b'/'e' async begin/end, 'P' sample data. */
  ph: 'X' | 'i' | 'M' | 'b' | 'e' | 'P';
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  cat?: string;
  id?: string;
  /** Scope of an instant event: 't' thread. */
  s?: 't';
  args?: Record<string, unknown>;
}

export interface ChromeTrace {
  traceEvents: TraceEvent[];
  displayTimeUnit: 'ms';
  otherData: Record<string, string | number>;
}

const PID = 1;

/**
 * The report as a Trace Event Format object: a lane per thread (thread_name metadata), each span
 * a complete ('X') event named after its region, regions as async spans, markers as instant
 * events. With `profiles`, each CPU profile is added as Profile/ProfileChunk events, the shape
 * Chrome itself writes, so DevTools shows the samples under the spans.
 */
export function toChromeTrace(report: Report, options?: { profiles?: boolean }): ChromeTrace {
  const ev: TraceEvent[] = [];
  ev.push({ name: 'process_name', ph: 'M', pid: PID, tid: 0, ts: 0, args: { name: `parprof ${report.meta.script}` } });
  report.threads.forEach((t, k) => {
    ev.push({ name: 'thread_name', ph: 'M', pid: PID, tid: t.id, ts: 0, args: { name: t.name } });
    ev.push({ name: 'thread_sort_index', ph: 'M', pid: PID, tid: t.id, ts: 0, args: { sort_index: k } });
  });
  const regionName = new Map(report.regions.map((r) => [r.id, r.name]));
  for (const r of report.regions) {
    const id = `region-${r.id}`;
    const args = { kind: r.kind, schedule: r.schedule, threads: r.threads, items: r.items, chunkSize: r.chunkSize, outcome: r.outcome };
    ev.push({ name: r.name, ph: 'b', cat: 'region', id, pid: PID, tid: 0, ts: r.start, args });
    ev.push({ name: r.name, ph: 'e', cat: 'region', id, pid: PID, tid: 0, ts: r.end ?? Math.max(r.start, report.meta.durationUs) });
  }
  const s = report.spans;
  for (let i = 0; i < s.count; i++) {
    ev.push({
      name: regionName.get(s.region[i]) ?? `region ${s.region[i]}`, cat: 'task', ph: 'X', pid: PID, tid: s.thread[i],
      ts: s.start[i], dur: s.end[i] - s.start[i],
      args: { region: s.region[i], index: s.index[i], first: s.first[i], items: s.items[i], queueWaitUs: Math.max(0, s.start[i] - s.enqueue[i]),
        stolenFrom: s.stolenFrom[i], parent: s.parent[i], failed: s.failed[i] },
    });
  }
  for (const m of report.markers) {
    ev.push({ name: m.kind, cat: 'marker', ph: 'i', s: 't', pid: PID, tid: m.thread, ts: m.t, args: { message: m.message, ...(m.stack ? { stack: m.stack } : {}) } });
  }
  if (options?.profiles) {
    report.profiles.forEach((tp, k) => {
      const id = `0x${(k + 1).toString(16)}`;
      const p = tp.profile;
      const parent = new Map<number, number>();
      for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
      ev.push({ name: 'Profile', ph: 'P', cat: 'disabled-by-default-v8.cpu_profiler', id, pid: PID, tid: tp.thread, ts: p.startTime, args: { data: { startTime: p.startTime } } });
      ev.push({
        name: 'ProfileChunk', ph: 'P', cat: 'disabled-by-default-v8.cpu_profiler', id, pid: PID, tid: tp.thread, ts: p.startTime,
        args: { data: { cpuProfile: { nodes: p.nodes.map((n) => ({ id: n.id, callFrame: n.callFrame, ...(parent.has(n.id) ? { parent: parent.get(n.id) } : {}) })), samples: p.samples }, timeDeltas: p.timeDeltas } },
      });
    });
  }
  return {
    traceEvents: ev,
    displayTimeUnit: 'ms',
    otherData: { script: report.meta.script, nodeVersion: report.meta.nodeVersion, originUs: report.meta.originUs, recorder: report.meta.recorder },
  };
}

/**
 * A plain V8 `.cpuprofile` (the JSON of Profiler.stop or `node --cpu-prof`) as a report with one
 * thread (id 0, 'main') and no spans. Times are rebased so the profile starts at 0.
 * Returns undefined when `json` is not a CPU profile at all; throws ReportError when it is one
 * but malformed.
 */
export function importCpuProfile(json: unknown, name?: string): Report | undefined {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return undefined;
  const o = json as Record<string, unknown>;
  if (!Array.isArray(o.nodes) || !('startTime' in o) || !('samples' in o)) return undefined;
  // V8 may write a few negative deltas (samples out of order): accepted here and sorted, as DevTools does.
  const source = validateCpuProfile(json, 'cpuprofile', { negativeDeltas: true });
  const origin = source.startTime;
  const durationUs = Math.max(0, source.endTime - origin);
  const profile: CpuProfile = { ...copyProfile(source), startTime: 0, endTime: durationUs };
  const deltas = source.timeDeltas.slice(1).filter((d) => d > 0).sort((a, b) => a - b);
  return {
    format: REPORT_FORMAT,
    version: REPORT_VERSION,
    meta: {
      script: name ?? 'imported.cpuprofile', args: [], cwd: '', nodeVersion: '', nodePath: '', cores: 1, platform: '',
      startedAt: 0, originUs: origin, durationUs, pool: { threads: 0, schedule: 'static' },
      sampleIntervalUs: deltas.length ? Math.round(deltas[deltas.length >> 1]) : 0, recorder: 'import:cpuprofile',
    },
    threads: [{ id: 0, name: 'main', kind: 'main', start: 0, end: durationUs }],
    regions: [],
    spans: emptySpans(),
    profiles: [{ thread: 0, profile }],
    elu: [],
    markers: [],
    dropped: { spans: 0, samples: 0, profiles: 0 },
    exit: { code: null, signal: null, error: null },
  };
}

/**
 * A copy of the fields a report keeps, nothing else: a foreign file may carry any other data, as
 * deeply nested as it likes (structuredClone of it overflowed the stack). Samples come sorted by
 * time, and the deltas rebuilt from the sorted times are never negative.
 */
function copyProfile(p: CpuProfile): CpuProfile {
  const nodes = p.nodes.map((n) => ({
    id: n.id,
    callFrame: { functionName: n.callFrame.functionName, scriptId: n.callFrame.scriptId, url: n.callFrame.url, lineNumber: n.callFrame.lineNumber, columnNumber: n.callFrame.columnNumber },
    ...(n.hitCount !== undefined ? { hitCount: n.hitCount } : {}),
    ...(n.children !== undefined ? { children: Array.from(n.children) } : {}),
    ...(n.positionTicks !== undefined ? { positionTicks: n.positionTicks.map((t) => ({ line: t.line, ticks: t.ticks })) } : {}),
  }));
  let samples = Array.from(p.samples);
  let timeDeltas = Array.from(p.timeDeltas);
  if (timeDeltas.some((d) => d < 0)) {
    const times = new Float64Array(samples.length);
    let t = p.startTime;
    for (let i = 0; i < samples.length; i++) times[i] = t += timeDeltas[i];
    const order = Array.from(samples.keys()).sort((a, b) => times[a] - times[b] || a - b);
    samples = order.map((i) => p.samples[i]);
    timeDeltas = order.map((i, k) => times[i] - (k === 0 ? p.startTime : times[order[k - 1]]));
  }
  return { nodes, startTime: p.startTime, endTime: p.endTime, samples, timeDeltas };
}

/**
 * Reads either a .parprof report or a plain V8 .cpuprofile (bytes, optionally gzip-compressed,
 * or text). Anything else throws a ReportError that says what was expected.
 */
export function parseAnyReport(data: Uint8Array | string, options?: ParseOptions & { name?: string }): Report {
  const json = parseJson(decodeReportText(data, options));
  if (typeof json === 'object' && json !== null && 'format' in json) return validateReport(json);
  const imported = importCpuProfile(json, options?.name);
  if (imported) return imported;
  throw new ReportError("not a Parallel Profiler report (no format 'parprof') nor a V8 .cpuprofile (no nodes, samples, startTime)");
}
