// Exports and imports of real runs: test/fixtures/interop-spinners.js recorded by the profiler
// (two workers, each spinning in a function of its own) and the same script under plain
// `node --cpu-prof`, through the model and through `parprof export` / `parprof report`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toChromeTrace } from '../../src/model/export-chrome';
import { cpuProfileFileName } from '../../src/model/export-cpuprofile';
import { importReport } from '../../src/model/import';
import { serializeReport } from '../../src/model/load';
import { packageRoot } from '../../src/runner/paths';
import { readAnyReportFile } from '../../src/runner/read-import';
import type { Report } from '../../src/model/report';
import { record } from './record-helpers';
import { perfettoProblems, plantedSpinners, topSampledFunction } from './interop-tools';

const root = packageRoot();
const fixtures = join(root, 'test', 'fixtures');
const SPINNERS = ['spinAlpha', 'spinBeta'];

function parprof(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(root, 'dist', 'cli.js'), ...args], { cwd: fixtures, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

let recorded: Promise<{ report: Report; file: string }> | undefined;
/** One recording of the spinners for the whole file. */
function spinners(): Promise<{ report: Report; file: string }> {
  recorded ??= record(join(fixtures, 'interop-spinners.js')).then((r) => {
    assert.equal(r.report.exit.code, 0, r.stderr);
    return { report: r.report, file: r.file };
  });
  return recorded;
}

test('planted truth: each worker of the recorded run spins in its own function', async () => {
  const { report } = await spinners();
  const planted = plantedSpinners(report);
  assert.equal(planted.size, 2, 'two workers');
  assert.deepEqual([...planted.values()].map((f) => f.name).sort(), SPINNERS);
  for (const f of planted.values()) assert.ok(f.samples > 0);
});

test('a recorded run through the Chrome trace and back: the same threads, spans and samples', async () => {
  const { report } = await spinners();
  const text = JSON.stringify(toChromeTrace(report, { profiles: true }));
  const back = importReport(JSON.parse(text), 'run.trace.json');
  assert.deepEqual(back.threads.map((t) => [t.id, t.name, t.kind]), report.threads.map((t) => [t.id, t.name, t.kind]));
  assert.deepEqual(perfettoProblems(JSON.parse(text).traceEvents), [], 'Perfetto\'s rules');
  assert.equal(back.spans.count, report.spans.count);
  // The trace lists spans in start order; the same spans, thread by thread.
  const spans = (r: Report) => Array.from({ length: r.spans.count }, (_, i) => [r.spans.thread[i], r.spans.start[i], r.spans.end[i], r.spans.region[i], r.spans.index[i]])
    .sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2]);
  assert.deepEqual(spans(back), spans(report));
  assert.deepEqual(back.regions.map((g) => [g.name, g.schedule, g.items]), report.regions.map((g) => [g.name, g.schedule, g.items]));
  assert.deepEqual(back.profiles.map((p) => [p.thread, p.profile.samples.length]), report.profiles.map((p) => [p.thread, p.profile.samples.length]));
  for (const [thread, f] of plantedSpinners(report)) assert.deepEqual(topSampledFunction(back, thread), f, `thread ${thread}`);
  assert.deepEqual(back.elu, report.elu.filter((e) => e.t.length), 'event-loop utilization counters');
  assert.equal(JSON.stringify(toChromeTrace(back, { profiles: true })), text, 'stable on a second export');
});

test('parprof export writes every format; parprof report and export read them back', async () => {
  const { report, file } = await spinners();
  const dir = mkdtempSync(join(tmpdir(), 'parprof-interop-'));
  const out = (name: string) => join(dir, name);
  // Folders of --out that do not exist yet are created, for every format (they were for cpuprofile only).
  for (const [format, name] of [['chrome', 'new/run.trace.json'], ['firefox', 'run.firefox.json'], ['speedscope', 'new/deeper/run.speedscope.json'], ['markdown', 'run.md']]) {
    const r = parprof('export', file, '--format', format, '--out', out(name));
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `wrote ${out(name)}\n`);
  }
  const cp = parprof('export', file, '--format', 'cpuprofile', '--out', out('profiles'));
  assert.equal(cp.code, 0, cp.stderr);
  assert.equal(cp.stdout, `wrote ${out('profiles')} (${report.profiles.length} .cpuprofile files)\n`);
  assert.deepEqual(readdirSync(out('profiles')).sort(), report.profiles.map((p) => cpuProfileFileName(p.thread, report.threads.find((t) => t.id === p.thread)!.name)).sort());
  // Without --out: next to the input, its ending replaced.
  const beside = parprof('export', file, '--format', 'speedscope');
  assert.equal(beside.code, 0, beside.stderr);
  assert.equal(beside.stdout, `wrote ${file.replace(/\.parprof$/, '.speedscope.json')}\n`);
  assert.equal(readFileSync(file.replace(/\.parprof$/, '.speedscope.json'), 'utf8'), readFileSync(out('new/deeper/run.speedscope.json'), 'utf8'));
  // Markdown to stdout by default, with the region's row.
  const md = parprof('export', file, '--format', 'markdown');
  assert.equal(md.code, 0, md.stderr);
  assert.equal(md.stdout, readFileSync(out('run.md'), 'utf8'));
  assert.match(md.stdout, /^\| map spin \| static \|/m);
  // Each export is read back by the loader `parprof report` uses, with the planted functions in place.
  for (const name of ['new/run.trace.json', 'run.firefox.json', 'new/deeper/run.speedscope.json', 'profiles']) {
    const back = readAnyReportFile(out(name));
    assert.deepEqual(back.profiles.map((p) => p.thread).sort(), report.profiles.map((p) => p.thread).sort(), name);
    for (const [thread, f] of plantedSpinners(report)) assert.deepEqual(topSampledFunction(back, thread), f, `${name}: thread ${thread}`);
  }
  // `parprof report` prints the summary of a trace as of a report; `export` converts one format to another.
  const summary = parprof('report', out('new/run.trace.json'));
  assert.equal(summary.code, 0, summary.stderr);
  assert.match(summary.stdout, /map spin/);
  const again = parprof('export', out('new/run.trace.json'), '--format', 'chrome', '--out', out('again.trace.json'));
  assert.equal(again.code, 0, again.stderr);
  assert.equal(readFileSync(out('again.trace.json'), 'utf8'), readFileSync(out('new/run.trace.json'), 'utf8'), 'chrome → chrome is stable');
  const ss = parprof('export', out('new/deeper/run.speedscope.json'), '--format', 'speedscope', '--out', out('again.speedscope.json'));
  assert.equal(ss.code, 0, ss.stderr);
  assert.equal(readFileSync(out('again.speedscope.json'), 'utf8'), readFileSync(out('new/deeper/run.speedscope.json'), 'utf8'), 'speedscope → speedscope is stable');
});

test('parprof report and export read a tracing-chrome trace: its threads, regions per span name, spans', () => {
  const r = parprof('report', 'interop-tracing-chrome.json');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^ {2}rayon-worker-1 +worker +0\.290 +0\.005 +3 +0$/m, 'worker 1: 290 µs in 3 spans');
  assert.match(r.stdout, /^ {2}chunk +external +0\.300 /m);
  const dir = mkdtempSync(join(tmpdir(), 'parprof-interop-'));
  const e = parprof('export', 'interop-tracing-chrome.json', '--format', 'chrome', '--out', join(dir, 't.json'));
  assert.equal(e.code, 0, e.stderr);
  const back = readAnyReportFile(join(dir, 't.json'));
  assert.deepEqual(back.threads.map((t) => t.name), ['main', 'rayon-worker-0', 'rayon-worker-1']);
  assert.equal(back.spans.count, 6);
});

test('parprof export: one clear line for bad input', async () => {
  const { file } = await spinners();
  const dir = mkdtempSync(join(tmpdir(), 'parprof-interop-'));
  writeFileSync(join(dir, 'junk.json'), '{"hello": 1}');
  writeFileSync(join(dir, 'broken.trace.json'), '{"traceEvents": [{"ph": "E", "pid": 1, "tid": 4, "ts": 9}]}');
  const cases: [string[], RegExp][] = [
    [['export', file], /^parprof: export needs --format chrome\|firefox\|speedscope\|cpuprofile\|markdown\n$/],
    [['export', file, '--format', 'svg'], /^parprof: --format must be one of chrome, firefox, speedscope, cpuprofile, markdown, 0x, got svg\n$/],
    [['export', join(dir, 'junk.json'), '--format', 'chrome'], /^parprof: .*junk\.json: not a Parallel Profiler report \(format 'parprof'\), a Chrome trace/],
    [['report', join(dir, 'broken.trace.json')], /^parprof: .*broken\.trace\.json: traceEvents\[0\]: E event on thread 1:4 \(pid:tid\) at 9 µs with no open B event\n$/],
    [['report', dir], /^parprof: .* is a folder with no \.cpuprofile files/],
    [['export', file, '--format', 'cpuprofile', '--out', '-'], /^parprof: --format cpuprofile writes a folder/],
  ];
  for (const [args, expected] of cases) {
    const r = parprof(...args);
    assert.equal(r.code, 2, `${args.join(' ')}: exit ${r.code}`);
    assert.match(r.stderr, expected, args.join(' '));
    assert.equal(r.stderr.trim().split('\n').length, 1, `${args.join(' ')}: one line`);
  }
});

test('a folder of node --cpu-prof profiles (one per thread) is one report on one timeline', () => {
  const dir = mkdtempSync(join(tmpdir(), 'parprof-cpuprof-'));
  const run = spawnSync(process.execPath, ['--cpu-prof', '--cpu-prof-dir', dir, 'interop-spinners.js'], { cwd: fixtures, encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  const files = readdirSync(dir).sort();
  assert.equal(files.length, 3, `main + 2 workers: ${files.join(', ')}`);
  for (const f of files) assert.match(f, /^CPU\.\d{8}\.\d{6}\.\d+\.\d+\.\d+\.cpuprofile$/);
  const tids = files.map((f) => Number(f.split('.')[4])).sort((a, b) => a - b);
  const report = readAnyReportFile(dir);
  assert.deepEqual(report.threads.map((t) => [t.id, t.name, t.kind]), tids.map((id) => [id, id === 0 ? 'main' : `worker ${id}`, id === 0 ? 'main' : 'worker']));
  // One clock: the origin is the earliest start (the main thread's), and the workers start later.
  const raw = files.map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as { startTime: number; endTime: number; samples: number[] });
  assert.equal(report.meta.originUs, Math.min(...raw.map((p) => p.startTime)));
  const main = report.profiles.find((p) => p.thread === 0)!;
  assert.equal(main.profile.startTime, 0);
  for (const p of report.profiles) {
    const source = raw[files.findIndex((f) => Number(f.split('.')[4]) === p.thread)];
    assert.equal(p.profile.startTime, source.startTime - report.meta.originUs);
    assert.equal(p.profile.samples.length, source.samples.length);
    if (p.thread !== 0) assert.ok(p.profile.startTime > 0, `worker ${p.thread} starts after the main thread`);
  }
  // The planted functions, one per worker.
  const workers = report.threads.filter((t) => t.kind === 'worker').map((t) => topSampledFunction(report, t.id).name);
  assert.deepEqual(workers.sort(), SPINNERS);
  // One file of it alone is a one-thread report.
  const one = readAnyReportFile(join(dir, files[0]));
  assert.deepEqual(one.threads.map((t) => [t.id, t.name]), [[0, 'main']]);
  assert.equal(one.profiles[0].profile.samples.length, raw[0].samples.length);
  // And through the CLI, as `parprof report <folder>`.
  const r = parprof('report', dir);
  assert.equal(r.code, 0, r.stderr);
  for (const name of SPINNERS) assert.match(r.stdout, new RegExp(name));
  // Workers that spun with no task spans (an import has none) read busy '-' with the legend, never 0.00.
  for (const t of report.threads.filter((x) => x.kind === 'worker')) {
    assert.match(r.stdout, new RegExp(`^  ${t.name}\\s+worker\\s+-\\s+-\\s+0\\s+[1-9]\\d*/\\d+$`, 'm'), r.stdout);
  }
  assert.match(r.stdout, /busy '-': a main thread that ran no tasks, or a thread with busy samples and no task spans/);
  assert.equal(serializeReport(readAnyReportFile(dir)), serializeReport(report), 'deterministic');
});
