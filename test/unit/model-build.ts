// Hand-built reports for the model tests: write spans as {thread, start, end} and get a valid report.
import type { CpuProfile, Region, Report } from '../../src/model/report';
import { REPORT_FORMAT, REPORT_VERSION, emptySpans } from '../../src/model/report';

export interface SpanSpec {
  thread: number;
  start: number;
  end: number;
  region?: number;
  enqueue?: number;
  stolenFrom?: number;
  failed?: number;
}

export interface ReportSpec {
  /** Worker threads, ids 1..workers, all in pool 0. */
  workers: number;
  regions?: Partial<Region>[];
  spans?: SpanSpec[];
  durationUs?: number;
  profiles?: { thread: number; profile: CpuProfile }[];
}

export function buildReport(spec: ReportSpec): Report {
  const durationUs = spec.durationUs ?? 10_000;
  const regions: Region[] = (spec.regions ?? []).map((r, i) => ({
    id: i, name: `region ${i}`, kind: 'map', pool: 0, fn: 'task', schedule: 'dynamic', threads: spec.workers, items: 0, chunkSize: 0,
    start: 0, end: 1000, outcome: 'ok', ...r,
  }));
  const s = emptySpans();
  const perRegion = new Map<number, number>();
  for (const x of spec.spans ?? []) {
    const region = x.region ?? 0;
    const index = perRegion.get(region) ?? 0;
    perRegion.set(region, index + 1);
    s.thread.push(x.thread); s.region.push(region); s.index.push(index); s.first.push(index); s.items.push(1);
    s.enqueue.push(x.enqueue ?? x.start); s.start.push(x.start); s.end.push(x.end);
    s.stolenFrom.push(x.stolenFrom ?? -1); s.parent.push(-1); s.failed.push(x.failed ?? 0);
    s.count++;
  }
  const threads: Report['threads'] = [{ id: 0, name: 'main', kind: 'main', start: 0, end: durationUs }];
  for (let i = 1; i <= spec.workers; i++) threads.push({ id: i, name: `worker ${i}`, kind: 'worker', pool: 0, start: 0, end: durationUs });
  return {
    format: REPORT_FORMAT, version: REPORT_VERSION,
    meta: { script: '/work/app/main.js', args: [], cwd: '/work/app', nodeVersion: 'v20.0.0', nodePath: '/usr/bin/node', cores: 2,
      platform: 'linux', startedAt: 1_700_000_000_000, originUs: 1e9, durationUs, pool: { threads: spec.workers, schedule: 'dynamic' },
      sampleIntervalUs: 1000, recorder: 'test' },
    threads, regions, spans: s, profiles: spec.profiles ?? [], elu: [], markers: [],
    dropped: { spans: 0, samples: 0, profiles: 0 }, exit: { code: 0, signal: null, error: null },
  };
}

/** A profile from nodes given as [id, name, url, line0, children, positionTicks?] and (node id, delta) samples. */
export function buildProfile(
  nodes: [number, string, string, number, number[], { line: number; ticks: number }[]?][],
  samples: [number, number][],
  endTime: number,
): CpuProfile {
  return {
    nodes: nodes.map(([id, functionName, url, lineNumber, children, positionTicks]) => ({
      id, callFrame: { functionName, scriptId: '1', url, lineNumber, columnNumber: 4 }, children,
      ...(positionTicks ? { positionTicks } : {}),
    })),
    startTime: 0, endTime, samples: samples.map((x) => x[0]), timeDeltas: samples.map((x) => x[1]),
  };
}
