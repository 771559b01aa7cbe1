// The runner's and the reader's stages on a synthetic spool of N spans, each timed and with its
// peak RSS, for bench/parts/scale.mjs and docs/hardening.md ("Ten million tasks"). Prints one JSON
// line: { stages: [{ name, ms, cpuMs, peakMB }], peakMB, ... } (cpuMs: this process's CPU time, less
// sensitive than wall time to a loaded machine; it includes the GC's helper threads). Peak RSS per stage: VmHWM, reset to the
// current RSS before the stage (/proc/self/clear_refs), so each stage's own peak is seen.
// usage: node --expose-gc out/test/unit/scale-stages.harness.js spool <dir> <N>
//        node --expose-gc out/test/unit/scale-stages.harness.js runner <dir> <N> <out.parprof>
//        node --expose-gc out/test/unit/scale-stages.harness.js report <file.parprof>
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { analyze } from '../../src/model/analysis';
import { advise } from '../../src/model/advice';
import { formatSummary } from '../../src/model/summary';
import type { Report } from '../../src/model/report';
import { readReportFile } from '../../src/runner/read-report';
import { buildReport } from '../../src/runner/report-build';
import { readSpool, type Spool } from '../../src/runner/spool';
import { writeReportStreamed } from '../../src/runner/write-report';
import { syntheticFacts, writeSyntheticSpool } from './scale-helpers';

interface Stage { name: string; ms: number; cpuMs: number; peakMB: number }

const MB = 1024 * 1024;

function status(field: string): number {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

const stages: Stage[] = [];
function stage<T>(name: string, work: () => T): T {
  (globalThis as { gc?: () => void }).gc?.();
  try { writeFileSync('/proc/self/clear_refs', '5'); } catch { /* not Linux: the peak is the process's */ }
  const t0 = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  const value = work();
  const cpu = process.cpuUsage(cpu0);
  stages.push({ name, ms: Math.round(Number(process.hrtime.bigint() - t0) / 1e6), cpuMs: Math.round((cpu.user + cpu.system) / 1000), peakMB: Math.round(status('VmHWM') / MB) });
  return value;
}

function analysis(report: Report): string {
  const metrics = stage('analyze', () => analyze(report));
  return stage('summary + advice', () => `${formatSummary(report, metrics)}\n${advise(report, metrics).length}`);
}

const [mode, a, b, c] = process.argv.slice(2);
const t0 = Date.now();
const result: Record<string, unknown> = { mode };
if (mode === 'spool') {
  writeSyntheticSpool(a, Number(b));
} else if (mode === 'runner') {
  const n = Number(b);
  let spool: Spool | undefined = stage('readSpool', () => readSpool(a));
  const report = stage('buildReport', () => { const r = buildReport(spool!, syntheticFacts(n)); spool = undefined; return r; });
  stage('write', () => writeReportStreamed(c, report));
  result.reportBytes = statSync(c).size;
  result.summaryLines = analysis(report).split('\n').length;
  result.spans = report.spans.count;
} else if (mode === 'report') {
  const report = stage('read', () => readReportFile(a));
  result.summaryLines = analysis(report).split('\n').length;
  result.spans = report.spans.count;
} else {
  console.error('usage: scale-stages.harness.js spool <dir> <N> | runner <dir> <N> <out> | report <file>');
  process.exit(2);
}
result.stages = stages;
result.seconds = (Date.now() - t0) / 1000;
result.peakMB = Math.max(0, ...stages.map((s) => s.peakMB));
result.maxRssMB = Math.round(process.resourceUsage().maxRSS / 1024);
console.log(JSON.stringify(result));
