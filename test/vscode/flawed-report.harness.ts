// Writes a large report with one flaw that only a full validation finds (a span near its end that
// ends before it starts; its header and every column's shape are fine), for the VS Code suite that
// checks such a file is refused in the reader's words and never drawn (suite/9c-large-report.test.ts).
// usage: node out/test/vscode/flawed-report.harness.js <out.parprof> <spans>
// Prints one JSON line: { file, spans, reason } (reason: the reader's one line for it).
import { syntheticReport } from '../../src/model/synthetic';
import { writeReportStreamed } from '../../src/runner/write-report';

const [out, spansArg] = process.argv.slice(2);
const spans = Number(spansArg);
if (!out || !Number.isInteger(spans) || spans < 2) {
  console.error(`usage: flawed-report.harness.js <out.parprof> <spans>; got ${JSON.stringify(process.argv.slice(2))}`);
  process.exit(2);
}
const report = syntheticReport({ threads: 8, spans, profiles: 2, samplesPerProfile: 1000, seed: 3 });
const at = spans - 10;
const start = report.spans.start[at];
(report.spans.end as unknown as Float64Array)[at] = start - 5;
const written = writeReportStreamed(out, report);
console.log(JSON.stringify({ file: written.file, spans, reason: `spans.end[${at}]: ${start - 5} is before start ${start}` }));
