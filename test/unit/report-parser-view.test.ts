// The report reader's answer for a large report's view (src/extension/reportParser.ts forView, in
// its real child process dist/report-parser.js): what the webview needs to fetch the file (its
// length, SHA-256 and meta) as soon as it is read, before it is validated; then its preview, then
// `validated` (or the reader's one-line reason: a planted flaw that only the full validation finds),
// the metrics with the findings, equal to analyze's and verdicts' of the same report, and the file's own bytes. A
// reader that stops leaves the validation rejected and the metrics undefined, never a promise that hangs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { syntheticReport } from '../../src/model/synthetic';
import { analyze } from '../../src/model/analysis';
import { verdicts } from '../../src/model/summary';
import { reportPreview, type ReportPreview } from '../../src/model/report-preview';
import { packReport, unpackReport, withPlainColumns } from '../../src/model/packed-report';
import { writeReportStreamed } from '../../src/runner/write-report';
import { packageRoot, packageVersion } from '../../src/runner/paths';
import { reportAnswers } from '../../src/model/report-answers';
import { PACKED_VIEW_ABOVE, PARSE_LIMITS, ReportParser, withHugePages } from '../../src/extension/reportParser';

const reader = join(packageRoot(), 'dist', 'report-parser.js');
const dir = mkdtempSync(join(tmpdir(), 'parprof-reader-view-'));
const file = join(dir, 'large.parprof');
const report = syntheticReport({ threads: 6, spans: PACKED_VIEW_ABOVE + 50_000, profiles: 2, samplesPerProfile: 2_000, seed: 17 });
// Packed, as a recording above PACK_SPANS_ABOVE writes it (this one is smaller: packed on purpose).
const written = writeReportStreamed(file, report, PACKED_VIEW_ABOVE);
/** The same report with one span ending before it starts, far into the file: its header and every column's shape are fine. */
const flawed = syntheticReport({ threads: 6, spans: PACKED_VIEW_ABOVE + 50_000, profiles: 2, samplesPerProfile: 2_000, seed: 17 });
const FLAW_AT = flawed.spans.count - 1000;
(flawed.spans.end as unknown as Float64Array)[FLAW_AT] = flawed.spans.start[FLAW_AT] - 5;
const flawedFile = writeReportStreamed(join(dir, 'flawed.parprof'), flawed, PACKED_VIEW_ABOVE).file;
/** A report whose header itself is not valid (its meta says 0 cores): nothing of it is sent before it is read whole. */
const badHeader = syntheticReport({ threads: 6, spans: PACKED_VIEW_ABOVE + 50_000, profiles: 2, samplesPerProfile: 2_000, seed: 17 });
badHeader.meta.cores = 0;
const badHeaderFile = writeReportStreamed(join(dir, 'bad-header.parprof'), badHeader, PACKED_VIEW_ABOVE).file;

test.after(() => rmSync(dir, { recursive: true, force: true }));

test('a large report\'s view: its file\'s length, hash and meta, its preview, then validated, its metrics, and its own bytes last', async () => {
  const parser = new ReportParser(reader);
  const view = await parser.forView(written.file);
  assert.equal(view.kind, 'packed');
  if (view.kind !== 'packed') return;
  assert.equal(view.view.gzipped, true);
  // What the webview checks a file it fetches against (init-packed-url): the file's own length and SHA-256.
  assert.equal(view.view.bytes, readFileSync(written.file).byteLength);
  assert.equal(view.view.sha256, createHash('sha256').update(readFileSync(written.file)).digest('hex'));
  assert.equal(view.view.spans, report.spans.count);
  assert.deepEqual(view.view.meta, JSON.parse(JSON.stringify(report.meta)));
  const preview = await view.view.preview;
  // The writer put the preview in the header: the reader sends it as is, the model's of the same report.
  const model = reportPreview(report);
  assert.deepEqual(preview?.lanes.map((l) => [l.thread, l.name, l.tasks, Buffer.from(l.busy).toString('base64')]),
    model.lanes.map((l) => [l.thread, l.name, l.tasks, Buffer.from(l.busy).toString('base64')]));
  assert.equal(preview?.endUs, model.endUs);
  const validated = await view.view.validated;
  assert.deepEqual(Buffer.from(await validated.packed), readFileSync(written.file), 'the bytes the reader validated, unchanged');
  const analysis = await view.view.analysis;
  assert.ok(analysis, 'the metrics follow');
  // JSON round trip: the metrics cross a structured clone; the model's have the same numbers.
  const metrics = analyze(report);
  assert.deepEqual(analysis.metrics, JSON.parse(JSON.stringify(metrics)));
  assert.deepEqual(analysis.findings, verdicts(metrics, report));
  assert.ok(analysis.findings!.length > 0, 'the synthetic report has findings');
  assert.equal(parser.inFlight, 0);
});

/** The reading processes of `file` (their command line names dist/report-parser.js and the file), by pid. */
function readersOf(path: string): number[] {
  return readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((p) => {
    try {
      const args = readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0');
      return args.some((a) => a.endsWith('report-parser.js')) && args.includes(path);
    } catch {
      return false;
    }
  }).map(Number);
}

/** The nice value of each thread of process `pid` (field 19 of /proc/<pid>/task/<tid>/stat). */
function threadNices(pid: number): number[] {
  return readdirSync(`/proc/${pid}/task`).map((t) => {
    const stat = readFileSync(`/proc/${pid}/task/${t}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
  });
}

test('once it has validated the report, the reader computes the metrics at the lowest priority (every thread nice 19): the webview decoding and drawing the same file comes first', async () => {
  const parser = new ReportParser(reader);
  const view = await parser.forView(written.file);
  assert.equal(view.kind, 'packed');
  if (view.kind !== 'packed') return;
  const [pid] = readersOf(written.file);
  assert.ok(pid, 'the reading process is found');
  const own = threadNices(process.pid)[0];
  await view.view.preview;
  // Until it has validated the report (which the webview waits for) it runs at the priority it was started with.
  const before = threadNices(pid);
  assert.deepEqual(before, before.map(() => own), `thread nice values ${before} before validated (this test's own: ${own})`);
  await view.view.validated;
  // It lowers its priority once the `validated` reply is written, which may be a moment after it is read here.
  let analysed = false;
  void view.view.analysis.then(() => { analysed = true; });
  let nices = threadNices(pid);
  while (!analysed && nices.some((n) => n !== 19)) {
    await new Promise((r) => setTimeout(r, 5));
    nices = threadNices(pid);
  }
  assert.ok(nices.length > 1, `threads ${nices}`);
  assert.deepEqual(nices, nices.map(() => 19), `thread nice values ${nices} (this test's own: ${own})`);
  assert.ok(await view.view.analysis, 'the metrics still come');
  assert.equal(parser.inFlight, 0);
});

test('the reader\'s glibc malloc asks for transparent huge pages (GLIBC_TUNABLES glibc.malloc.hugetlb=1) unless the caller set tunables of their own, which are kept untouched', () => {
  assert.equal(withHugePages(undefined), 'glibc.malloc.hugetlb=1');
  assert.equal(withHugePages(' '), 'glibc.malloc.hugetlb=1');
  assert.equal(withHugePages('glibc.malloc.arena_max=2'), 'glibc.malloc.arena_max=2');
  assert.equal(withHugePages('glibc.malloc.hugetlb=0'), 'glibc.malloc.hugetlb=0');
});

/** The kernel's transparent huge page mode: the bracketed word of /sys/kernel/mm/transparent_hugepage/enabled. */
function hugePageMode(): string {
  try {
    return /\[(\w+)\]/.exec(readFileSync('/sys/kernel/mm/transparent_hugepage/enabled', 'utf8'))?.[1] ?? 'none';
  } catch {
    return 'none';
  }
}

/** The largest AnonHugePages (kB) of process \`pid\` sampled until \`done\` settles. */
async function hugePagesUntil(pid: number, done: Promise<unknown>): Promise<number> {
  const sample = () => {
    try {
      return Number(/AnonHugePages:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? 0);
    } catch {
      return 0;
    }
  };
  let settled = false;
  void done.finally(() => { settled = true; });
  let huge = sample();
  while (!settled) {
    await new Promise((r) => setTimeout(r, 5));
    huge = Math.max(huge, sample());
  }
  return Math.max(huge, sample());
}

test('the reader decodes a large report\'s columns into huge pages where the kernel gives them on request (madvise or always); with tunables of the caller\'s own, as the caller set them', async () => {
  const mode = hugePageMode();
  for (const own of [undefined, 'glibc.malloc.arena_max=4']) {
    const before = process.env.GLIBC_TUNABLES;
    if (own === undefined) delete process.env.GLIBC_TUNABLES; else process.env.GLIBC_TUNABLES = own;
    const parser = new ReportParser(reader);
    let view: Awaited<ReturnType<ReportParser['forView']>>;
    try {
      view = await parser.forView(written.file);
    } finally {
      if (before === undefined) delete process.env.GLIBC_TUNABLES; else process.env.GLIBC_TUNABLES = before;
    }
    assert.equal(view.kind, 'packed');
    if (view.kind !== 'packed') return;
    const [pid] = readersOf(written.file);
    assert.ok(pid, 'the reading process is found');
    const env = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter((e) => e.startsWith('GLIBC_TUNABLES='));
    assert.deepEqual(env, [`GLIBC_TUNABLES=${own ?? 'glibc.malloc.hugetlb=1'}`]);
    // Sampled while it decodes, until it has validated the report (and holds its columns).
    const huge = await hugePagesUntil(pid, view.view.validated);
    if (own === undefined && (mode === 'madvise' || mode === 'always')) assert.ok(huge >= 2048, `AnonHugePages ${huge} kB with transparent huge pages '${mode}'`);
    if (own !== undefined && mode !== 'always') assert.equal(huge, 0, `the caller's tunables alone, transparent huge pages '${mode}': none`);
    assert.ok(await view.view.analysis, 'the metrics still come');
    assert.equal(parser.inFlight, 0);
  }
});

test('a reader stopped once it has validated leaves the metrics undefined and the bytes refused', async () => {
  // A time limit that the read and validation fit in but the analysis does not, on any machine,
  // cannot be chosen: the reader is stopped by dispose() as soon as it has validated.
  const parser = new ReportParser(reader, { ...PARSE_LIMITS });
  const view = await parser.forView(written.file);
  assert.equal(view.kind, 'packed');
  if (view.kind !== 'packed') return;
  const validated = await view.view.validated;
  parser.dispose();
  assert.equal(await view.view.analysis, undefined);
  await assert.rejects(validated.packed, { message: 'the report reader was stopped' });
});

test('a large report with a flaw only the full validation finds: sent before it is validated, then refused in the reader\'s one line', async () => {
  const parser = new ReportParser(reader);
  const view = await parser.forView(flawedFile);
  // Sent early: the header is fine (the old reader refused the file before sending anything).
  assert.equal(view.kind, 'packed');
  if (view.kind !== 'packed') return;
  assert.equal(view.view.spans, flawed.spans.count);
  await assert.rejects(view.view.validated, { message: `spans.end[${FLAW_AT}]: ${flawed.spans.start[FLAW_AT] - 5} is before start ${flawed.spans.start[FLAW_AT]}` });
  assert.equal(await view.view.analysis, undefined);
  assert.equal(parser.inFlight, 0);
});

test('a reader stopped before it has validated leaves the validation rejected and the metrics undefined', async () => {
  const parser = new ReportParser(reader, { ...PARSE_LIMITS });
  const view = await parser.forView(written.file);
  assert.equal(view.kind, 'packed');
  if (view.kind !== 'packed') return;
  parser.dispose();
  await assert.rejects(view.view.validated, { message: 'the report reader was stopped' });
  assert.equal(await view.view.analysis, undefined);
});

test('a large report whose header is not valid is not sent early: the reader refuses it whole, as before', async () => {
  const parser = new ReportParser(reader);
  await assert.rejects(parser.forView(badHeaderFile), { message: /^meta\.cores: / });
  assert.equal(parser.inFlight, 0);
});

test('a large report that is not packed (JSON): validated, packed by the reader, and its bytes before its metrics (the webview cannot fetch it)', async () => {
  const json = syntheticReport({ threads: 2, spans: PACKED_VIEW_ABOVE + 1000, profiles: 0, samplesPerProfile: 0, seed: 5 });
  const jsonFile = writeReportStreamed(join(dir, 'large.parprof.json.gz'), json, Infinity).file;
  const parser = new ReportParser(reader);
  const view = await parser.forView(jsonFile);
  assert.equal(view.kind, 'packed');
  if (view.kind !== 'packed') return;
  assert.equal(view.view.sha256, undefined);
  // Gzipped for the way to the webview (a JSON report's columns are ~5 times its packed and gzipped bytes).
  assert.equal(view.view.gzipped, true);
  const order: string[] = [];
  const validated = await view.view.validated;
  await Promise.all([validated.packed.then(() => order.push('packed')), view.view.analysis.then(() => order.push('metrics'))]);
  assert.deepEqual(order, ['packed', 'metrics']);
  const bytes = await validated.packed;
  assert.equal(view.view.bytes, 0, 'packed after the preview: their length comes with them');
  assert.deepEqual(withPlainColumns(unpackReport(gunzipSync(bytes))), JSON.parse(JSON.stringify(json)), 'the report, every value');
});

/** `report` packed and gzip-compressed with `preview` in its header, as a file. */
function withHeaderPreview(name: string, preview: ReportPreview): string {
  const path = join(dir, name);
  writeFileSync(path, gzipSync(packReport(report, { preview }), { level: 1 }));
  return path;
}

test('the preview comes from the header when it is there (before any column is read); a malformed one is recomputed from the spans', async () => {
  const model = reportPreview(report);
  // Planted: a header preview whose bins are all full, a picture the spans would not give: what the reader sends is the header's.
  const full = withHeaderPreview('full-bins.parprof', { ...model, lanes: model.lanes.map((l) => ({ ...l, busy: new Uint8Array(l.busy.length).fill(255) })) });
  let view = await new ReportParser(reader).forView(full);
  assert.ok(view.kind === 'packed');
  let preview = await view.view.preview;
  assert.ok(preview?.lanes.every((l) => l.busy.every((b) => b === 255)), 'the header\'s preview');
  assert.deepEqual(preview?.lanes.map((l) => l.tasks), model.lanes.map((l) => l.tasks));
  await view.view.validated;
  // Malformed (a lane's bins shorter than the others): ignored, the preview is the spans'.
  const short = withHeaderPreview('short-bins.parprof', { ...model, lanes: model.lanes.map((l, k) => ({ ...l, busy: k === 1 ? l.busy.subarray(0, 2000) : l.busy })) });
  view = await new ReportParser(reader).forView(short);
  assert.ok(view.kind === 'packed');
  preview = await view.view.preview;
  assert.deepEqual(preview?.lanes.map((l) => Buffer.from(l.busy).toString('base64')), reportPreview(report).lanes.map((l) => Buffer.from(l.busy).toString('base64')));
  await view.view.validated;
});

test('a header preview whose task counts are not the spans\' (adding up right) is shown, then the report is refused in one line', async () => {
  const model = reportPreview(report);
  const lanes = model.lanes.map((l) => ({ ...l }));
  const [a, b] = lanes.map((l, k) => [l, k] as const).filter(([l]) => l.tasks > 0).map(([, k]) => k);
  lanes[a].tasks += 1;
  lanes[b].tasks -= 1;
  const file = withHeaderPreview('wrong-tasks.parprof', { ...model, lanes });
  const view = await new ReportParser(reader).forView(file);
  assert.ok(view.kind === 'packed');
  assert.deepEqual((await view.view.preview)?.lanes.map((l) => l.tasks), lanes.map((l) => l.tasks));
  await assert.rejects(view.view.validated, { message: `its header's preview gives thread ${lanes[a].thread} ${lanes[a].tasks} tasks; its spans hold ${lanes[a].tasks - 1}` });
});

test('the header\'s answers (headline numbers, leading finding, top functions) come with the preview when this version wrote them; another version\'s are ignored; altered ones are told apart from the report\'s own', async () => {
  // Recorded by this version: the writer puts the answers in the header beside the preview.
  const own = syntheticReport({ threads: 6, spans: PACKED_VIEW_ABOVE + 50_000, profiles: 2, samplesPerProfile: 2_000, seed: 17 });
  own.meta.recorder = packageVersion();
  const ownFile = writeReportStreamed(join(dir, 'own-version.parprof'), own, PACKED_VIEW_ABOVE).file;
  const metrics = analyze(own);
  const expected = JSON.parse(JSON.stringify(reportAnswers(own, metrics, verdicts(metrics, own))));
  assert.ok(expected.functions.length > 0 && expected.headline.length >= 6 && expected.finding !== '', 'the synthetic report has functions, numbers and a finding');
  let view = await new ReportParser(reader).forView(ownFile);
  assert.ok(view.kind === 'packed');
  assert.deepEqual((await view.view.preview)?.answers, expected);
  await view.view.validated;
  assert.equal((await view.view.analysis)?.answersMismatch, undefined, 'the header\'s answers are the report\'s own');

  // Another version's (the top file's recorder is 'synthetic'): the first screen waits for the report's own.
  view = await new ReportParser(reader).forView(written.file);
  assert.ok(view.kind === 'packed');
  assert.equal((await view.view.preview)?.answers, undefined);
  await view.view.validated;
  assert.equal((await view.view.analysis)?.answersMismatch, undefined);

  // Planted: the header says a utilization the spans do not give. Shown first (it is well formed), then told apart.
  const altered = { ...expected, headline: expected.headline.map((h: { key: string; value: string }) => (h.key === 'utilization' ? { ...h, value: '99.9 %' } : h)) };
  const alteredFile = join(dir, 'altered-answers.parprof');
  writeFileSync(alteredFile, gzipSync(packReport(own, { preview: reportPreview(own), answers: altered }), { level: 1 }));
  view = await new ReportParser(reader).forView(alteredFile);
  assert.ok(view.kind === 'packed');
  assert.equal((await view.view.preview)?.answers?.headline.find((h) => h.key === 'utilization')?.value, '99.9 %');
  await view.view.validated;
  const utilization = expected.headline.find((h: { key: string }) => h.key === 'utilization');
  assert.equal((await view.view.analysis)?.answersMismatch, `its header says Utilization 99.9 %; its spans give ${utilization.value}`);
});

/** Tasks of `r` overlapping [from, to] (a zero-length one inside it), counted by brute force. */
function overlapping(r: typeof report, from: number, to: number): number {
  let n = 0;
  for (let k = 0; k < r.spans.count; k++) {
    const s = r.spans.start[k], e = r.spans.end[k];
    if (s === e ? s >= from && s <= to : s < to && e > from) n++;
  }
  return n;
}

test('above its window threshold a report is windowed: the reader keeps it, sends its header\'s preview, a first window from the run\'s start, then one per request, and ends when stopped', async () => {
  const parser = new ReportParser(reader);
  const view = await parser.forView(written.file, PACKED_VIEW_ABOVE);
  assert.equal(view.kind, 'packed');
  if (view.kind !== 'packed') return;
  assert.equal(view.view.windowed, true);
  assert.equal(view.view.sha256, undefined, 'a windowed report is not fetched by the webview: not hashed');
  assert.equal(view.view.bytes, readFileSync(written.file).byteLength);
  assert.deepEqual((await view.view.preview)?.lanes.map((l) => l.tasks), reportPreview(report).lanes.map((l) => l.tasks));
  const windows: { from: number; to: number; spans: number; totalSpans: number; runFrom: number; tasks: number; totalTasks: number }[] = [];
  const got: Promise<void>[] = [];
  let next: (() => void) | undefined;
  const arrived = () => new Promise<void>((resolve) => { next = resolve; });
  got.push(arrived());
  view.view.windows!.onWindow((w) => {
    const r = unpackReport(gunzipSync(w.packed));
    assert.equal(w.gzipped, true);
    // Each window is a report of its own: exactly the tasks overlapping it.
    assert.equal(r.spans.count, w.slice.spans);
    assert.equal(w.slice.spans, overlapping(report, w.slice.from, w.slice.to));
    windows.push(w.slice);
    next?.();
  });
  await got[0];
  await view.view.validated;
  const first = windows[0];
  assert.equal(first.from, first.runFrom);
  assert.equal(first.totalSpans, report.spans.count);
  assert.equal(first.totalTasks, report.spans.count);
  assert.ok(first.spans < report.spans.count / 2, `${first.spans} tasks in the first window`);
  // The whole run's metrics, not the window's.
  const analysis = await view.view.analysis;
  assert.equal(analysis?.metrics.extra.tasks, report.spans.count);
  const second = arrived();
  assert.equal(view.view.windows!.request({ from: first.to }), true);
  await second;
  assert.equal(windows[1].from, first.to);
  const third = arrived();
  view.view.windows!.request({ to: windows[1].from });
  await third;
  assert.equal(windows[2].to, windows[1].from);
  assert.equal(readersOf(written.file).length, 1, 'the reader stays while its view is open');
  view.view.windows!.stop();
  for (let k = 0; k < 100 && readersOf(written.file).length > 0; k++) await new Promise((r) => setTimeout(r, 50));
  assert.equal(readersOf(written.file).length, 0, 'the reader ended with its view');
  assert.equal(view.view.windows!.request({ from: 0 }), false);
  assert.equal(parser.inFlight, 0);
});

test('a windowed report with a flaw only the full validation finds: refused in the reader\'s one line, no window sent', async () => {
  const parser = new ReportParser(reader);
  const view = await parser.forView(flawedFile, PACKED_VIEW_ABOVE);
  assert.equal(view.kind, 'packed');
  if (view.kind !== 'packed') return;
  assert.equal(view.view.windowed, true);
  let sent = 0;
  view.view.windows!.onWindow(() => { sent++; });
  await assert.rejects(view.view.validated, { message: `spans.end[${FLAW_AT}]: ${flawed.spans.start[FLAW_AT] - 5} is before start ${flawed.spans.start[FLAW_AT]}` });
  assert.equal(await view.view.analysis, undefined);
  assert.equal(sent, 0);
  assert.equal(parser.inFlight, 0);
});

test('at or below its window threshold a large report is sent whole, as before', async () => {
  const parser = new ReportParser(reader);
  const view = await parser.forView(written.file, report.spans.count);
  assert.equal(view.kind, 'packed');
  if (view.kind !== 'packed') return;
  assert.equal(view.view.windowed, undefined);
  assert.ok(view.view.sha256);
  await view.view.validated;
  parser.dispose();
});

test('a view\'s JSON report of up to PACKED_VIEW_ABOVE spans comes whole before its metrics, which follow equal to analyze\'s, with the findings', async () => {
  const small = syntheticReport({ threads: 4, spans: 30_000, profiles: 2, samplesPerProfile: 2_000, seed: 23 });
  const jsonFile = writeReportStreamed(join(dir, 'small.parprof'), small).file;
  assert.notEqual(readFileSync(jsonFile)[0], 0x1f, 'written as JSON');
  const parser = new ReportParser(reader);
  const view = await parser.forView(jsonFile);
  assert.equal(view.kind, 'report-first');
  if (view.kind !== 'report-first') return;
  // The metrics are a message of their own, after the report's: not in when the report is.
  const first = await Promise.race([view.analysis.then(() => 'metrics'), Promise.resolve('report')]);
  assert.equal(first, 'report');
  assert.equal(view.report.spans.count, small.spans.count);
  assert.deepEqual(Array.from(view.report.spans.end), Array.from(small.spans.end));
  const analysis = await view.analysis;
  const metrics = analyze(small);
  assert.deepEqual(analysis?.metrics, JSON.parse(JSON.stringify(metrics)));
  assert.deepEqual(analysis?.findings, verdicts(metrics, small));
  assert.equal(parser.inFlight, 0);
});
