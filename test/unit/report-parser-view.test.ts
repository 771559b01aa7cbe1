// The report reader's answer for a large report's view (src/extension/reportParser.ts forView, in
// its real child process dist/report-parser.js): the file's own bytes first, then the metrics in
// a second message with the findings, equal to analyze's and verdicts' of the same report; a reader that stops after the bytes
// leaves the metrics undefined (the webview then computes them), never a promise that hangs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { syntheticReport } from '../../src/model/synthetic';
import { analyze } from '../../src/model/analysis';
import { verdicts } from '../../src/model/summary';
import { writeReportStreamed } from '../../src/runner/write-report';
import { packageRoot } from '../../src/runner/paths';
import { PACKED_VIEW_ABOVE, PARSE_LIMITS, ReportParser } from '../../src/extension/reportParser';

const reader = join(packageRoot(), 'dist', 'report-parser.js');
const dir = mkdtempSync(join(tmpdir(), 'parprof-reader-view-'));
const file = join(dir, 'large.parprof');
const report = syntheticReport({ threads: 6, spans: PACKED_VIEW_ABOVE + 50_000, profiles: 2, samplesPerProfile: 2_000, seed: 17 });
const written = writeReportStreamed(file, report);

test.after(() => rmSync(dir, { recursive: true, force: true }));

test('a large report\'s view: the file\'s own bytes, then its metrics in a message of their own', async () => {
  const parser = new ReportParser(reader);
  const view = await parser.forView(written.file);
  assert.equal(view.kind, 'packed');
  if (view.kind !== 'packed') return;
  assert.deepEqual(Buffer.from(view.view.packed), readFileSync(written.file), 'the bytes the reader validated, unchanged');
  assert.equal(view.view.gzipped, true);
  // What the webview checks a file it fetches against (init-packed-url): the file's own SHA-256.
  assert.equal(view.view.sha256, createHash('sha256').update(readFileSync(written.file)).digest('hex'));
  assert.equal(view.view.spans, report.spans.count);
  const analysis = await view.view.analysis;
  assert.ok(analysis, 'the metrics follow');
  // JSON round trip: the metrics cross a structured clone; the model's have the same numbers.
  const metrics = analyze(report);
  assert.deepEqual(analysis.metrics, JSON.parse(JSON.stringify(metrics)));
  assert.deepEqual(analysis.findings, verdicts(metrics, report));
  assert.ok(analysis.findings!.length > 0, 'the synthetic report has findings');
  assert.equal(parser.inFlight, 0);
});

test('a reader stopped after sending the bytes leaves the metrics undefined', async () => {
  // A time limit that the read and validation fit in but the analysis does not, on any machine,
  // cannot be chosen: the reader is stopped by dispose() as soon as the bytes are in.
  const parser = new ReportParser(reader, { ...PARSE_LIMITS });
  const view = await parser.forView(written.file);
  assert.equal(view.kind, 'packed');
  if (view.kind !== 'packed') return;
  parser.dispose();
  assert.equal(await view.view.analysis, undefined);
});
