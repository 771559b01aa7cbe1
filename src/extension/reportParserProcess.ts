// The child process that reads one report file for the extension (dist/report-parser.js, forked by
// reportParser.ts with `node <this> <want> <file>`). A report is untrusted input: reading,
// importing, validating and analysing it happen here, outside the extension host, under the heap
// and time limits the host set. No `vscode` here: this is a plain Node process.
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { basename } from 'node:path';
import { constants as zlib, gunzipSync } from 'node:zlib';
import { readAnyReportFile } from '../runner/read-import';
import { gunzipCapped, readFileCapped } from '../runner/read-report';
import { parseAnyReport } from '../model/import';
import { parseSweepReport } from '../model/sweep-report';
import { analyze } from '../model/analysis';
import { verdicts } from '../model/summary';
import { filesNamedBy } from '../model/source-access';
import { isPackedReport, packReport, typedColumns } from '../model/packed-report';
import type { Report } from '../model/report';
import { PACKED_VIEW_ABOVE, type PackedBytes, type ParseReply, type ParseRequest } from './reportParser';

function isGzip(bytes: Uint8Array): boolean {
  return bytes.length > 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Whether `bytes` (gzip-compressed or not) hold a packed report: its first few inflated bytes say. */
function holdsPacked(bytes: Uint8Array): boolean {
  if (!isGzip(bytes)) return isPackedReport(bytes);
  try {
    // A sync flush inflates what the first 64 KiB hold without asking for the end of the stream.
    return isPackedReport(gunzipSync(bytes.subarray(0, 65536), { finishFlush: zlib.Z_SYNC_FLUSH }));
  } catch {
    return false;
  }
}

/** A reply, and for a large report's view the metrics to compute and send once it is sent. */
interface Replies { reply: ParseReply; then?: () => ParseReply }

/**
 * The report in `file` for a view: validated here either way; above PACKED_VIEW_ABOVE spans, its
 * packed bytes (the file's own when it is packed) and what the host reads of it, then its metrics.
 */
function forView(file: string): Replies {
  const bytes = statSync(file, { throwIfNoEntry: false })?.isFile() ? readFileCapped(file) : undefined;
  const report: Report = bytes ? parseAnyReport(bytes, { gunzip: gunzipCapped, name: basename(file) }) : readAnyReportFile(file);
  if (report.spans.count <= PACKED_VIEW_ABOVE) return { reply: { ok: true, want: 'report', report: typedColumns(report), metrics: analyze(report) } };
  const own = bytes !== undefined && holdsPacked(bytes);
  const view: PackedBytes = {
    // A copy of exactly the file's bytes (readFileCapped's buffer has room to spare).
    packed: own ? bytes.slice() : packReport(report),
    gzipped: own && isGzip(bytes),
    sha256: own ? createHash('sha256').update(bytes).digest('hex') : undefined,
    meta: report.meta,
    spans: report.spans.count,
    sourceFiles: [...filesNamedBy(report)],
  };
  return { reply: { ok: true, want: 'view', view }, then: () => tried(() => {
    const metrics = analyze(report);
    let findings: string[] | undefined;
    try {
      findings = verdicts(metrics, report);
    } catch {
      // The webview computes them (and says why they failed, if they do there too).
    }
    return { ok: true, want: 'metrics', metrics, findings };
  }) };
}

function tried(f: () => ParseReply): ParseReply {
  try {
    return f();
  } catch (e) {
    return { ok: false, message: e instanceof Error ? e.message : String(e) };
  }
}

function run(request: ParseRequest): Replies {
  try {
    if (request.want === 'sweep') {
      try {
        return { reply: { ok: true, want: 'sweep', sweep: parseSweepReport(new TextDecoder().decode(readFileCapped(request.file))) } };
      } catch (e) {
        throw new Error(`${basename(request.file)}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    if (request.want === 'view') return forView(request.file);
    const report = readAnyReportFile(request.file);
    const metrics = analyze(report);
    if (request.want === 'entry') {
      // The Runs view keeps only what its entry shows, so only that crosses to the host.
      const { meta, threads, regions, exit, markers } = report;
      const numbers = { wallMs: metrics.wallMs, utilization: metrics.utilization, imbalance: metrics.imbalance };
      return { reply: { ok: true, want: 'entry', slim: { meta, threads, regions, exit, markers }, numbers } };
    }
    // Typed columns: the narrowest integer types, copied as bytes by the IPC channel's structured clone.
    return { reply: { ok: true, want: 'report', report: typedColumns(report), metrics } };
  } catch (e) {
    return { reply: { ok: false, message: e instanceof Error ? e.message : String(e) } };
  }
}

const [want, file] = process.argv.slice(2);
const { reply, then } = run({ file, want: want === 'entry' || want === 'sweep' || want === 'view' ? want : 'report' });
// Exits once the replies are written to the channel (a large report takes a while to send). A
// second reply is computed only once the first is written: the channel writes while the event
// loop runs, and analyze would hold it for seconds.
process.send?.(reply, undefined, undefined, () => {
  if (then) process.send?.(then(), undefined, undefined, () => process.disconnect?.());
  else process.disconnect?.();
});
