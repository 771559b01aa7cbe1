// The body of the worker thread that reads report files for the extension (dist/report-parser.js).
// A report is untrusted input: reading, importing, validating and analysing it happen here, off
// the extension host's thread, under the memory and time limits the host set (reportParser.ts).
// No `vscode` here: this runs in a worker, where that module does not exist.
import { parentPort, workerData } from 'node:worker_threads';
import { readAnyReportFile } from '../runner/read-import';
import { analyze } from '../model/analysis';
import { typedColumns } from '../model/packed-report';
import type { ParseReply, ParseRequest } from './reportParser';

function buffersOf(value: unknown, into: Set<ArrayBuffer>, depth = 0): void {
  // Typed columns sit at most a few levels down (spans.x, waits.x, profiles[i].profile.samples).
  if (depth > 4 || typeof value !== 'object' || value === null) return;
  if (ArrayBuffer.isView(value)) {
    if (value.buffer instanceof ArrayBuffer) into.add(value.buffer);
    return;
  }
  for (const v of Array.isArray(value) ? value : Object.values(value)) buffersOf(v, into, depth + 1);
}

function run(request: ParseRequest): { reply: ParseReply; transfer: ArrayBuffer[] } {
  try {
    const report = readAnyReportFile(request.file);
    const metrics = analyze(report);
    if (request.want === 'entry') {
      // The Runs view keeps only what its entry shows, so only that crosses to the host.
      const { meta, threads, regions, exit, markers } = report;
      const numbers = { wallMs: metrics.wallMs, utilization: metrics.utilization, imbalance: metrics.imbalance };
      return { reply: { ok: true, want: 'entry', slim: { meta, threads, regions, exit, markers }, numbers }, transfer: [] };
    }
    // Typed columns move to the host without a copy (their buffers are transferred).
    const typed = typedColumns(report);
    const buffers = new Set<ArrayBuffer>();
    buffersOf(typed.spans, buffers);
    buffersOf(typed.waits, buffers);
    for (const p of typed.profiles) buffersOf(p.profile, buffers);
    return { reply: { ok: true, want: 'report', report: typed, metrics }, transfer: [...buffers] };
  } catch (e) {
    return { reply: { ok: false, message: e instanceof Error ? e.message : String(e) }, transfer: [] };
  }
}

const { reply, transfer } = run(workerData as ParseRequest);
parentPort?.postMessage(reply, transfer);
