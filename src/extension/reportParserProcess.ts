// The child process that reads one report file for the extension (dist/report-parser.js, forked by
// reportParser.ts with `node <this> <want> <file>`). A report is untrusted input: reading,
// importing, validating and analysing it happen here, outside the extension host, under the heap
// and time limits the host set. No `vscode` here: this is a plain Node process.
import { basename } from 'node:path';
import { readAnyReportFile } from '../runner/read-import';
import { readFileCapped } from '../runner/read-report';
import { parseSweepReport } from '../model/sweep-report';
import { analyze } from '../model/analysis';
import { typedColumns } from '../model/packed-report';
import type { ParseReply, ParseRequest } from './reportParser';

function run(request: ParseRequest): ParseReply {
  try {
    if (request.want === 'sweep') {
      try {
        return { ok: true, want: 'sweep', sweep: parseSweepReport(new TextDecoder().decode(readFileCapped(request.file))) };
      } catch (e) {
        throw new Error(`${basename(request.file)}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    const report = readAnyReportFile(request.file);
    const metrics = analyze(report);
    if (request.want === 'entry') {
      // The Runs view keeps only what its entry shows, so only that crosses to the host.
      const { meta, threads, regions, exit, markers } = report;
      const numbers = { wallMs: metrics.wallMs, utilization: metrics.utilization, imbalance: metrics.imbalance };
      return { ok: true, want: 'entry', slim: { meta, threads, regions, exit, markers }, numbers };
    }
    // Typed columns: the narrowest integer types, copied as bytes by the IPC channel's structured clone.
    return { ok: true, want: 'report', report: typedColumns(report), metrics };
  } catch (e) {
    return { ok: false, message: e instanceof Error ? e.message : String(e) };
  }
}

const [want, file] = process.argv.slice(2);
const reply = run({ file, want: want === 'entry' || want === 'sweep' ? want : 'report' });
// Exits once the reply is written to the channel (a large report takes a while to send).
process.send?.(reply, undefined, undefined, () => process.disconnect?.());
