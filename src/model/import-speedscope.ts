// Import of speedscope files (https://www.speedscope.app/file-format-schema.json): each 'sampled'
// profile becomes a thread with a CPU profile; 'evented' profiles become spans of that thread
// (one region per frame name). Pure.
import type { CpuProfile, CpuProfileNode, Report, ThreadInfo, ThreadProfile } from './report';
import { emptySpans } from './report';
import { ReportError } from './load';
import { emptyReport, medianDelta, placeholderMachine } from './import-common';
import { SPEEDSCOPE_IMPORT, SPEEDSCOPE_SCHEMA } from './export-speedscope';

const UNIT_US: Record<string, number> = { nanoseconds: 1e-3, microseconds: 1, milliseconds: 1e3, seconds: 1e6 };

function fail(path: string, problem: string): never {
  throw new ReportError(`speedscope ${path}: ${problem}`);
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** A speedscope file as a report; undefined when `json` is none; ReportError when it is malformed. */
export function importSpeedscope(json: unknown, name = 'imported speedscope'): Report | undefined {
  if (!isObject(json) || !(json.$schema === SPEEDSCOPE_SCHEMA || (isObject(json.shared) && Array.isArray(json.profiles) && 'activeProfileIndex' in json))) return undefined;
  const shared = isObject(json.shared) ? json.shared : fail('shared', 'expected an object');
  const frames = Array.isArray(shared.frames) ? shared.frames : fail('shared.frames', 'expected an array');
  frames.forEach((f, k) => { if (!isObject(f) || typeof f.name !== 'string') fail(`shared.frames[${k}]`, 'expected a frame with a name'); });
  const profilesIn = Array.isArray(json.profiles) ? json.profiles : fail('profiles', 'expected an array');
  const threads: ThreadInfo[] = [];
  const profiles: ThreadProfile[] = [];
  const report = emptyReport(typeof json.name === 'string' && json.name ? json.name : name, undefined, 0, 0);
  // Always an import, also of our own export: the file keeps no cores, pool, exit or task spans,
  // and a report that looked recorded would be read as a run that used no pool. Our exporter's
  // name is kept for a re-export.
  report.meta.recorder = typeof json.exporter === 'string' && json.exporter.startsWith('parprof ') ? `${SPEEDSCOPE_IMPORT} of ${json.exporter}` : SPEEDSCOPE_IMPORT;
  const regionByName = new Map<string, number>();
  const spans = emptySpans();
  let end = 0;
  const ids = new Set<number>();
  profilesIn.forEach((raw, k) => {
    const path = `profiles[${k}]`;
    if (!isObject(raw)) fail(path, 'expected an object');
    const scale = UNIT_US[raw.unit as string];
    if (scale === undefined) fail(`${path}.unit`, `expected a time unit (${Object.keys(UNIT_US).join(', ')}), found ${JSON.stringify(raw.unit)}`);
    const label = typeof raw.name === 'string' ? raw.name : `profile ${k}`;
    const m = /^(.*) \(thread (\d+)\)$/.exec(label);
    let id = m ? Number(m[2]) : k;
    while (ids.has(id)) id++;
    ids.add(id);
    const startValue = typeof raw.startValue === 'number' ? raw.startValue * scale : fail(`${path}.startValue`, 'expected a number');
    const endValue = typeof raw.endValue === 'number' ? raw.endValue * scale : fail(`${path}.endValue`, 'expected a number');
    if (endValue < startValue) fail(`${path}.endValue`, `${endValue} is before startValue ${startValue}`);
    end = Math.max(end, endValue);
    const threadName = m ? m[1] : label;
    threads.push({ id, name: threadName, kind: id === 0 || /^main$/i.test(threadName) ? 'main' : 'worker', start: startValue, end: endValue });
    if (raw.type === 'sampled') profiles.push({ thread: id, profile: sampledProfile(raw, frames.length, frames as Record<string, unknown>[], scale, path) });
    else if (raw.type === 'evented') end = Math.max(end, eventedSpans(raw, id, frames as Record<string, unknown>[], scale, path, spans, regionByName, report));
    else fail(`${path}.type`, `expected 'sampled' or 'evented', found ${JSON.stringify(raw.type)}`);
  });
  report.threads = threads.sort((a, b) => a.id - b.id);
  report.profiles = profiles;
  // Evented spans: index within their region, and the threads each region ran on.
  const next = new Map<number, number>();
  const ran = new Map<number, Set<number>>();
  for (let i = 0; i < spans.count; i++) {
    const g = spans.region[i];
    spans.index[i] = next.get(g) ?? 0;
    next.set(g, spans.index[i] + 1);
    if (!ran.has(g)) ran.set(g, new Set());
    ran.get(g)!.add(spans.thread[i]);
  }
  for (const g of report.regions) g.threads = ran.get(g.id)?.size ?? 0;
  report.spans = spans;
  report.meta.durationUs = end;
  report.meta.sampleIntervalUs = profiles.length ? medianDelta(profiles[0].profile.timeDeltas) : 0;
  placeholderMachine(report);
  return report;
}

function sampledProfile(raw: Record<string, unknown>, frameCount: number, frames: Record<string, unknown>[], scale: number, path: string): CpuProfile {
  const samples = Array.isArray(raw.samples) ? raw.samples : fail(`${path}.samples`, 'expected an array');
  const weights = Array.isArray(raw.weights) ? raw.weights : fail(`${path}.weights`, 'expected an array');
  if (weights.length !== samples.length) fail(`${path}.weights`, `expected ${samples.length} weights, found ${weights.length}`);
  const root: CpuProfileNode = { id: 1, callFrame: { functionName: '(root)', scriptId: '0', url: '', lineNumber: -1, columnNumber: -1 } };
  const nodes: CpuProfileNode[] = [root];
  // Child of node by frame: the tree's edges, one map per node id.
  const childOf = new Map<string, number>();
  const out: number[] = [];
  const deltas: number[] = [];
  for (let i = 0; i < samples.length; i++) {
    const stack = samples[i];
    if (!Array.isArray(stack)) fail(`${path}.samples[${i}]`, 'expected an array of frame indexes');
    let at = root.id;
    for (const f of stack) {
      if (!Number.isInteger(f) || f < 0 || f >= frameCount) fail(`${path}.samples[${i}]`, `frame ${JSON.stringify(f)} is not in shared.frames`);
      const key = `${at}:${f}`;
      let next = childOf.get(key);
      if (next === undefined) {
        next = nodes.length + 1;
        childOf.set(key, next);
        const fr = frames[f];
        nodes.push({ id: next, callFrame: {
          functionName: fr.name as string, scriptId: '0', url: typeof fr.file === 'string' ? fr.file : '',
          lineNumber: typeof fr.line === 'number' ? fr.line - 1 : -1, columnNumber: typeof fr.col === 'number' ? fr.col - 1 : -1,
        } });
        (nodes[at - 1].children ??= []).push(next);
      }
      at = next;
    }
    const w = weights[i];
    if (typeof w !== 'number' || !(w >= 0)) fail(`${path}.weights[${i}]`, `expected a weight ≥ 0, found ${JSON.stringify(w)}`);
    out.push(at);
    deltas.push(w * scale);
  }
  return { nodes, startTime: (raw.startValue as number) * scale, endTime: (raw.endValue as number) * scale, samples: out, timeDeltas: deltas };
}

/**
 * Open/close events of an 'evented' profile as spans of `thread`, one region per frame name; returns
 * the last close (µs), so the report's duration holds every span (a report refuses spans outside it).
 */
function eventedSpans(raw: Record<string, unknown>, thread: number, frames: Record<string, unknown>[], scale: number, path: string,
  spans: ReturnType<typeof emptySpans>, regionByName: Map<string, number>, report: Report): number {
  const events = Array.isArray(raw.events) ? raw.events : fail(`${path}.events`, 'expected an array');
  const open: { frame: number; at: number }[] = [];
  let last = 0;
  events.forEach((e, k) => {
    if (!isObject(e) || typeof e.at !== 'number' || !Number.isInteger(e.frame) || (e.frame as number) < 0 || (e.frame as number) >= frames.length) {
      fail(`${path}.events[${k}]`, 'expected {type, at, frame} with a frame in shared.frames');
    }
    // The report's times start at 0 (this importer keeps the file's values).
    if (e.at < 0) fail(`${path}.events[${k}].at`, `${e.at} is before 0, where the report's clock starts`);
    if (e.type === 'O') { open.push({ frame: e.frame as number, at: e.at * scale }); return; }
    last = Math.max(last, e.at * scale);
    const o = open.pop();
    if (!o || o.frame !== e.frame) fail(`${path}.events[${k}]`, 'a close event that does not match the last open one');
    const name = frames[o.frame].name as string;
    let region = regionByName.get(name);
    if (region === undefined) {
      region = report.regions.length;
      regionByName.set(name, region);
      report.regions.push({ id: region, name, kind: 'external', pool: 0, fn: name, schedule: 'external', threads: 0, items: 0, chunkSize: 0, start: o.at, end: e.at * scale, outcome: 'ok' });
    }
    const g = report.regions[region];
    g.start = Math.min(g.start, o.at);
    g.end = Math.max(g.end ?? 0, e.at * scale);
    spans.thread.push(thread); spans.region.push(region); spans.index.push(spans.count); spans.first.push(0); spans.items.push(1);
    spans.enqueue.push(o.at); spans.start.push(o.at); spans.end.push(e.at * scale); spans.stolenFrom.push(-1); spans.parent.push(-1); spans.failed.push(0);
    spans.count++;
  });
  if (open.length) fail(`${path}.events`, `${open.length} open events are never closed`);
  return last;
}
