// A large report's first answers (src/model/report-answers.ts): what `parprof record` writes into
// the packed header is what the views compute (the timeline's headline list and the top functions
// of the whole run), a reader takes them only when well formed and written by its own version, and
// answersMismatch tells the header's apart from the report's own, and is silent when they agree.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { syntheticReport } from '../../src/model/synthetic';
import { analyze } from '../../src/model/analysis';
import { formatSummary, verdicts } from '../../src/model/summary';
import { headlineItems } from '../../src/model/headline';
import { applyTransforms, baseSamples } from '../../src/model/transforms';
import { functionStats } from '../../src/model/calltree';
import { answersMismatch, headerAnswers, reportAnswers, ANSWER_FUNCTIONS, type ReportAnswers } from '../../src/model/report-answers';
import { packReport, PackedUnpacker } from '../../src/model/packed-report';
import { runEndUs } from '../../src/model/report-preview';
import { formatCount, formatPercent, formatPlural } from '../../src/model/units';
import { writeReportStreamed } from '../../src/runner/write-report';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

const report = syntheticReport({ threads: 4, spans: 20_000, profiles: 3, samplesPerProfile: 3_000, seed: 3 });
report.meta.recorder = '9.9.9';
const metrics = analyze(report);
const answers = reportAnswers(report, metrics, verdicts(metrics, report));

test('the answers are the views\' own: the headline list, the leading finding, the whole run\'s top functions with the runtime merged away', () => {
  assert.deepEqual(answers.headline, headlineItems(report, metrics));
  assert.equal(answers.headline.find((h) => h.key === 'utilization')?.value, formatPercent(metrics.utilization));
  assert.equal(answers.headline.find((h) => h.key === 'tasks')?.value, formatCount(report.spans.count));
  assert.equal(answers.finding, verdicts(metrics, report)[0]);
  const stats = functionStats(applyTransforms(baseSamples(report), [], { showRuntime: false }), { from: 0, to: runEndUs(report) });
  assert.ok(stats.length > ANSWER_FUNCTIONS, 'more functions than the answers list');
  assert.equal(answers.functionCount, stats.length);
  assert.deepEqual(answers.functions, stats.slice(0, ANSWER_FUNCTIONS).map(({ name, file, line, self, total }) => ({ name, file, line, self, total })));
  assert.equal(answers.by, '9.9.9');
});

test('written into a packed header and read back by the same version: the same answers; by another version, or malformed: none', () => {
  const raw = new PackedUnpacker(packReport(report, { answers })).answers;
  assert.deepEqual(headerAnswers(raw, report, '9.9.9'), JSON.parse(JSON.stringify(answers)));
  assert.equal(headerAnswers(raw, report, '9.9.8'), undefined, 'another reader version');
  assert.equal(headerAnswers(raw, { ...report, meta: { ...report.meta, recorder: '9.9.8' } }, '9.9.9'), undefined, 'the report says another recorder');
  const bad: [string, unknown][] = [
    ['no object', 'answers'],
    ['a number as a value', { ...answers, headline: [{ key: 'wall', label: 'Wall time', value: 3 }] }],
    ['no headline', { ...answers, headline: [] }],
    ['too many functions', { ...answers, functions: [...answers.functions, answers.functions[0]] }],
    ['a negative time', { ...answers, functions: answers.functions.map((f, k) => (k === 0 ? { ...f, self: -1 } : f)) }],
    ['a fractional line', { ...answers, functions: answers.functions.map((f, k) => (k === 0 ? { ...f, line: 1.5 } : f)) }],
    ['a count below the rows', { ...answers, functionCount: 2 }],
    ['a name too long', { ...answers, functions: answers.functions.map((f, k) => (k === 0 ? { ...f, name: 'x'.repeat(5000) } : f)) }],
  ];
  for (const [why, value] of bad) assert.equal(headerAnswers(value, report, '9.9.9'), undefined, why);
});

test('answersMismatch: silent on the report\'s own answers, one line for each kind of difference', () => {
  const own = reportAnswers(report, metrics, verdicts(metrics, report));
  assert.equal(answersMismatch(answers, own), undefined);
  const util = own.headline.find((h) => h.key === 'utilization')!;
  const alter = (change: Partial<ReportAnswers>): ReportAnswers => ({ ...answers, ...change });
  assert.equal(answersMismatch(alter({ headline: answers.headline.map((h) => (h.key === 'utilization' ? { ...h, value: '1.0 %' } : h)) }), own),
    `its header says Utilization 1.0 %; its spans give ${util.value}`);
  assert.equal(answersMismatch(alter({ headline: answers.headline.slice(1) }), own), 'its header lists other headline numbers than its spans give');
  assert.equal(answersMismatch(alter({ finding: 'all is well' }), own), 'its header leads with another finding than its spans give');
  assert.equal(answersMismatch(alter({ functionCount: answers.functionCount + 1 }), own), `its header counts ${answers.functionCount + 1} functions with samples; its samples have ${own.functionCount}`);
  assert.match(answersMismatch(alter({ functions: answers.functions.map((f, k) => (k === 2 ? { ...f, self: f.self + 1 } : f)) }), own)!, /^its header's top function 3 is not its samples' \(/);
  // A hostile header's text is not repeated at length.
  const long = answersMismatch(alter({ headline: answers.headline.map((h) => (h.key === 'wall' ? { ...h, value: 'y'.repeat(3000) } : h)) }), own)!;
  assert.ok(long.length < 200, long);
});

test('the writer of a packed report puts its preview and answers in the header and hands back the metrics it computed; a JSON report gets neither', () => {
  const dir = mkdtempSync(join(tmpdir(), 'parprof-answers-'));
  try {
    const packed = writeReportStreamed(join(dir, 'packed.parprof'), report, 0);
    assert.deepEqual(packed.metrics, metrics);
    const unpacker = new PackedUnpacker(new Uint8Array(gunzipSync(readFileSync(packed.file))));
    assert.deepEqual(headerAnswers(unpacker.answers, report, '9.9.9'), JSON.parse(JSON.stringify(answers)));
    assert.ok(unpacker.preview, 'the preview beside them');
    const json = writeReportStreamed(join(dir, 'plain.parprof'), report);
    assert.equal(json.metrics, undefined);
    assert.equal(readFileSync(json.file, 'utf8')[0], '{');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the CLI summary counts tasks with separators, as the views do; formatPlural names one and many', () => {
  const text = formatSummary(report, analyze(report));
  const tasks = report.spans.count;
  assert.ok(tasks >= 1000, `${tasks}`);
  assert.match(text, new RegExp(`^ {2}tasks {11}${formatCount(tasks)} \\(p50 `, 'm'), text);
  assert.doesNotMatch(text, new RegExp(`\\b${tasks}\\b`), 'the count without separators');
  assert.equal(formatPlural(1, 'task'), '1 task');
  assert.equal(formatPlural(1234567, 'task'), '1,234,567 tasks');
  assert.equal(formatPlural(2, 'busy stretch', 'busy stretches'), '2 busy stretches');
});

test('formatCount writes what toLocaleString(\'en-US\') writes, for whole numbers without it', () => {
  const values = [0, -0, 1, -1, 12, 999, 1000, -1000, 12345, 999999, 1_000_000, -1_234_567, 2 ** 31, 2 ** 53 - 1, -(2 ** 53 - 1), 2 ** 53, 1e21, 1.5, 1234.5678, -0.25, NaN, Infinity, -Infinity];
  for (let i = 0; i < 2000; i++) values.push(Math.round((Math.random() - 0.5) * 10 ** (1 + (i % 15))));
  for (const v of values) assert.equal(formatCount(v), Number.isFinite(v) ? v.toLocaleString('en-US') : String(v), String(v));
});
