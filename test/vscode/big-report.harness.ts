// Writes a large synthetic report for the VS Code suite that opens one (suite/9c-large-report.test.ts)
// and for measuring the extension at ten million spans. Run in a process of its own: making the
// report takes gigabytes, which must not count against the extension host being measured.
// usage: node out/test/vscode/big-report.harness.js <out.parprof> <spans> [threads]
// Prints one JSON line, also written to <out>.truth.json: { file, spans, threads, bytes, ms, laneTasks, headline }
// (laneTasks: the tasks of each thread, threads by id: what the timeline's lanes must list; headline:
// the headline numbers' values, what the first screen must show from the file's header).
import { statSync, writeFileSync } from 'node:fs';
import { syntheticReport } from '../../src/model/synthetic';
import { writeReportStreamed } from '../../src/runner/write-report';
import { packageVersion } from '../../src/runner/paths';
import { headlineItems } from '../../src/model/headline';
import { analyze } from '../../src/model/analysis';

const [out, spansArg, threadsArg] = process.argv.slice(2);
const spans = Number(spansArg);
const threads = Number(threadsArg ?? 16);
if (!out || !Number.isInteger(spans) || spans < 1 || !Number.isInteger(threads) || threads < 1) {
  console.error(`usage: big-report.harness.js <out.parprof> <spans> [threads]; got ${JSON.stringify(process.argv.slice(2))}`);
  process.exit(2);
}
const t0 = Date.now();
// The views benchmark's shape (bench/webview.mjs): 16 workers, 8 CPU profiles of 100k samples.
const report = syntheticReport({ threads, spans, profiles: Math.min(8, threads + 1), samplesPerProfile: 100_000, seed: 1 });
// Recorded by this version, as `parprof record` writes it: the header's answers are for this reader.
report.meta.recorder = packageVersion();
// The writer a recording uses: above PACK_SPANS_ABOVE spans the file is packed and gzip-compressed.
const written = writeReportStreamed(out, report);
const ids = report.threads.map((t) => t.id).sort((a, b) => a - b);
const tasks = new Map(ids.map((id) => [id, 0]));
for (let k = 0; k < report.spans.count; k++) tasks.set(report.spans.thread[k], (tasks.get(report.spans.thread[k]) ?? 0) + 1);
const truth = { file: written.file, spans, threads, bytes: statSync(written.file).size, ms: Date.now() - t0, laneTasks: ids.map((id) => tasks.get(id) ?? 0),
  headline: headlineItems(report, written.metrics ?? analyze(report)).map((h) => h.value) };
writeFileSync(`${out}.truth.json`, JSON.stringify(truth) + '\n');
console.log(JSON.stringify(truth));
