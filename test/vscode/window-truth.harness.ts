// The truth of one window of a report, for the VS Code suite's windowed view (suite/9c-large-report.test.ts),
// counted by brute force over the whole report in a process of its own (gigabytes at 10M spans).
// usage: node out/test/vscode/window-truth.harness.js <report.parprof> <from µs> <to µs>
// Prints one JSON line: { spans, laneTasks } — the tasks that overlap the window (a zero-length one
// inside it), in all and per thread, threads by id (the timeline's lane order).
import { readReportFile } from '../../src/runner/read-report';

const [file, fromArg, toArg] = process.argv.slice(2);
const from = Number(fromArg);
const to = Number(toArg);
const report = readReportFile(file);
const ids = report.threads.map((t) => t.id).sort((a, b) => a - b);
const tasks = new Map(ids.map((id) => [id, 0]));
let spans = 0;
const { start, end, thread } = report.spans;
for (let k = 0; k < report.spans.count; k++) {
  const overlaps = start[k] === end[k] ? start[k] >= from && start[k] <= to : start[k] < to && end[k] > from;
  if (!overlaps) continue;
  spans++;
  tasks.set(thread[k], (tasks.get(thread[k]) ?? 0) + 1);
}
console.log(JSON.stringify({ spans, laneTasks: ids.map((id) => tasks.get(id) ?? 0) }));
