import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gzipSync, gunzipSync } from 'node:zlib';
import { ReportError, parseReport, parseReportAsync, serializeReport, validateReport } from '../../src/model/load';
import { syntheticReport } from '../../src/model/synthetic';
import type { Report } from '../../src/model/report';
import { buildReport } from './model-build';

/** The repository: the nearest folder above this test (built to out/test/unit) holding docs/, else the working directory. */
function repoRoot(): string {
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) if (existsSync(join(dir, 'docs', 'report.schema.json'))) return dir;
  return process.cwd();
}
const root = repoRoot();
const small = () => syntheticReport({ threads: 3, spans: 1200, profiles: 2, samplesPerProfile: 400, seed: 5 });

function rejects(mutate: (r: Record<string, any>) => void, message: string | RegExp) {
  const r = JSON.parse(serializeReport(small()));
  mutate(r);
  assert.throws(() => parseReport(JSON.stringify(r)), (e: unknown) => {
    assert.ok(e instanceof ReportError, `a ReportError, got ${e}`);
    if (typeof message === 'string') assert.equal(e.message, message);
    else assert.match(e.message, message);
    return true;
  });
}

test('serialize -> parse -> serialize is stable', () => {
  const text = serializeReport(small());
  const again = serializeReport(parseReport(text));
  assert.equal(again, text);
  const bytes = new TextEncoder().encode(text);
  assert.equal(serializeReport(parseReport(bytes)), text);
});

test('gzip-compressed reports: read with options.gunzip, explained without it, async with DecompressionStream', async () => {
  const text = serializeReport(small());
  const gz = new Uint8Array(gzipSync(text));
  assert.equal(serializeReport(parseReport(gz, { gunzip: (b) => gunzipSync(b) })), text);
  assert.throws(() => parseReport(gz), /gzip-compressed: pass options.gunzip/);
  assert.equal(serializeReport(await parseReportAsync(gz)), text);
  assert.throws(() => parseReport(gz.subarray(0, 20), { gunzip: (b) => gunzipSync(b) }), /could not be decompressed/);
});

test('errors name the problem and the path', () => {
  assert.throws(() => parseReport('{"format": "parprof",'), /^ReportError: not valid JSON/);
  // Binary bytes that are not a report: said in words, not quoted back as replacement characters.
  const binary = new Uint8Array([0x43, 0xe2, 0x98, 0x39, 0x03, 0x44, 0xff, 0x71, 0x00, 0x8a, 0x10, 0x20]);
  assert.throws(() => parseReport(binary), /^ReportError: not a report: its bytes are neither JSON text nor a packed or gzip-compressed report$/);
  assert.throws(() => parseReport('const x = 1;\n'), /^ReportError: not valid JSON: /);
  rejects((r) => delete r.format, "not a Parallel Profiler report: missing format 'parprof'");
  rejects((r) => (r.format = 'speedscope'), /not a Parallel Profiler report: format is string "speedscope"/);
  rejects((r) => (r.version = 7), 'unsupported report version 7 (this reader knows 1 and 2)');
  rejects((r) => (r.spans.start.length = 1187), 'spans.start: expected 1200 numbers, found 1187');
  rejects((r) => (r.spans.end[17] = 'soon'), 'spans.end[17]: expected a number, found string "soon"');
  rejects((r) => (r.spans.thread[3] = 1.5), 'spans.thread[3]: expected an integer, found number 1.5');
  rejects((r) => (r.spans.thread[5] = 42), 'spans.thread[5]: thread 42 is not in threads');
  rejects((r) => (r.spans.region[6] = 99), 'spans.region[6]: region 99 is not in regions');
  rejects((r) => (r.spans.end[2] = r.spans.start[2] - 1), /^spans\.end\[2\]: .* is before start/);
  rejects((r) => delete r.meta.durationUs, 'meta.durationUs: expected a number, found undefined');
  // Times are µs from the run's origin: a span before it or after the run's end is refused, naming the span.
  rejects((r) => (r.spans.start[4] = -5000), `spans.start[4]: span 4 (thread ${small().spans.thread[4]}) starts at -5000 µs, before the run's origin (0)`);
  rejects((r) => (r.spans.end[9] = r.meta.durationUs + 10e6), new RegExp(`^spans\\.end\\[9\\]: span 9 \\(thread \\d+\\) ends at [\\d.]+ µs, after the run's end \\(meta\\.durationUs ${small().meta.durationUs}\\)$`));
  rejects((r) => (r.threads[1].kind = 'fiber'), `threads[1].kind: expected one of 'main', 'worker', found string "fiber"`);
  rejects((r) => (r.threads[2].id = 1), 'threads[2].id: thread 1 appears twice');
  rejects((r) => (r.regions[0].end = r.regions[0].start - 5), /^regions\[0\]\.end: .* is before start/);
  rejects((r) => (r.profiles[1].profile.timeDeltas.length = 10), 'profiles[1].profile.timeDeltas: expected 400 numbers, found 10');
  rejects((r) => (r.profiles[0].profile.samples[3] = 12345), 'profiles[0].profile.samples[3]: node 12345 is not in nodes');
  rejects((r) => (r.profiles[0].profile.nodes[0].children = [999]), 'profiles[0].profile.nodes[0].children[0]: node 999 is not in nodes');
  rejects((r) => (r.profiles[0].thread = 77), 'profiles[0].thread: thread 77 is not in threads');
  rejects((r) => (r.markers[0].kind = 'boom'), /^markers\[0\]\.kind: expected one of/);
  rejects((r) => (r.exit = { code: '1', signal: null, error: null }), 'exit.code: expected an integer, found string "1"');
  assert.throws(() => validateReport([]), /report: expected an object, found an array/);
  // A few hundred µs of slack either side: clocks read in different processes.
  const edge = small();
  edge.spans.start[4] = -500;
  edge.spans.end[9] = edge.meta.durationUs + 500;
  assert.equal(validateReport(edge), edge);
});

test('a million spans validate (the tight-loop path), and one bad entry deep inside is found', () => {
  // Built with plain loops (the synthetic generator's PRNG would dominate the test's time).
  const r = buildReport({ workers: 16, regions: [{ start: 0, end: 2_000_000 }], durationUs: 2_000_000 });
  const s = r.spans;
  for (let i = 0; i < 1_000_000; i++) {
    s.thread.push(1 + (i % 16)); s.region.push(0); s.index.push(i); s.first.push(i); s.items.push(1);
    s.enqueue.push(i); s.start.push(i + 0.5); s.end.push(i + 1.25); s.stolenFrom.push(-1); s.parent.push(-1); s.failed.push(0);
  }
  s.count = 1_000_000;
  assert.equal(validateReport(r), r);
  (r.spans.start as unknown[])[987_654] = null;
  assert.throws(() => validateReport(r), /^ReportError: spans\.start\[987654\]: expected a number, found null/);
});

// A small JSON Schema (2020-12) interpreter for the keywords docs/report.schema.json uses: enough
// to check that the schema and the validator agree, without adding a dependency.
type Schema = { [k: string]: any };
function checkSchema(value: unknown, schema: Schema, defs: Schema, path: string, errors: string[]): void {
  if (schema.$ref) return checkSchema(value, defs[schema.$ref.replace('#/$defs/', '')], defs, path, errors);
  if ('const' in schema && value !== schema.const) errors.push(`${path}: expected ${schema.const}`);
  if (schema.enum && !schema.enum.includes(value)) errors.push(`${path}: ${value} not in enum`);
  if (schema.type) {
    const types: string[] = Array.isArray(schema.type) ? schema.type : [schema.type];
    const actual = value === null ? 'null' : Array.isArray(value) ? 'array' : Number.isInteger(value) ? 'integer' : typeof value;
    if (!types.includes(actual) && !(actual === 'integer' && types.includes('number'))) {
      errors.push(`${path}: expected ${types.join('|')}, found ${actual}`);
      return;
    }
  }
  if (typeof value === 'number' && schema.minimum !== undefined && value < schema.minimum) errors.push(`${path}: below minimum`);
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const k of schema.required ?? []) if (!(k in value)) errors.push(`${path}: missing ${k}`);
    for (const [k, sub] of Object.entries(schema.properties ?? {})) {
      if (k in value) checkSchema((value as Schema)[k], sub as Schema, defs, `${path}.${k}`, errors);
    }
  }
  if (Array.isArray(value) && schema.items) value.forEach((v, i) => checkSchema(v, schema.items, defs, `${path}[${i}]`, errors));
}

test('the JSON Schema and the validator agree on real-looking reports', () => {
  const schema = JSON.parse(readFileSync(join(root, 'docs', 'report.schema.json'), 'utf8'));
  assert.equal(schema.$schema, 'https://json-schema.org/draft/2020-12/schema');
  const reports: Report[] = [small(), buildReport({ workers: 2, regions: [{ start: 0, end: undefined, outcome: 'unfinished' }], spans: [{ thread: 1, start: 1, end: 2 }] })];
  reports[1].threads[1].died = { at: 5, reason: 'uncaught Error: boom' };
  reports[1].exit = { code: null, signal: 'SIGKILL', error: { message: 'boom', stack: 'Error: boom\n    at x' } };
  for (const r of reports) {
    const parsed = JSON.parse(serializeReport(validateReport(r)));
    const errors: string[] = [];
    checkSchema(parsed, schema, schema.$defs, 'report', errors);
    assert.deepEqual(errors, []);
  }
  // Every top-level field of the report is required by the schema, and the reverse.
  assert.deepEqual([...schema.required].sort(), Object.keys(small()).sort());
  assert.deepEqual([...schema.$defs.spans.required].sort(), Object.keys(small().spans).sort());
  assert.deepEqual([...schema.$defs.meta.required].sort(), Object.keys(small().meta).sort());
  // And the schema catches what the validator catches.
  const broken = JSON.parse(serializeReport(small()));
  delete broken.meta.cores;
  broken.regions[0].outcome = 'maybe';
  const errors: string[] = [];
  checkSchema(broken, schema, schema.$defs, 'report', errors);
  assert.deepEqual(errors, ['report.meta: missing cores', 'report.regions[0].outcome: maybe not in enum']);
});

test('the format doc mentions every field of the schema', () => {
  const doc = readFileSync(join(root, 'docs', 'report-format.md'), 'utf8');
  const schema = JSON.parse(readFileSync(join(root, 'docs', 'report.schema.json'), 'utf8'));
  const fields = new Set<string>();
  const walk = (s: Schema) => {
    for (const [k, v] of Object.entries(s.properties ?? {})) {
      fields.add(k);
      walk(v as Schema);
    }
    if (s.items) walk(s.items);
  };
  walk(schema);
  for (const d of Object.values(schema.$defs)) walk(d as Schema);
  const missing = [...fields].filter((f) => !doc.includes(`\`${f}\``) && !doc.includes(`${f} `) && !doc.includes(`${f},`));
  assert.deepEqual(missing, []);
});
