// Writes a report as JSON without ever holding it as one string: V8 strings end at 2^29 − 24
// characters (~536 M), and a report of ten million spans is ~840 MB of JSON. The output is byte for
// byte what JSON.stringify would give (test/unit/scale-write.test.ts checks it), with typed-array
// span columns written as JSON arrays.
import { closeSync, existsSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { reportPreview } from '../model/report-preview';
import { reportAnswers } from '../model/report-answers';
import { analyze, type RunMetrics } from '../model/analysis';
import { verdicts } from '../model/summary';
import { packReport } from '../model/packed-report';
import type { Report } from '../model/report';
import { writeReport, type WrittenReport } from './output';

/** Entries of a column serialized per slice: a slice's text stays a few MB. */
const SLICE = 1 << 16;

/** Arrays and typed arrays as JSON arrays; everything else as JSON.stringify writes it. */
function toJson(value: unknown): string | undefined {
  return JSON.stringify(value, (_key, v: unknown) => (ArrayBuffer.isView(v) && !(v instanceof DataView) ? Array.from(v as unknown as ArrayLike<number>) : v));
}

function* column(a: ArrayLike<number> & { slice(start: number, end: number): ArrayLike<number> }): Generator<string> {
  if (a.length === 0) { yield '[]'; return; }
  for (let at = 0; at < a.length; at += SLICE) {
    const text = toJson(a.slice(at, Math.min(at + SLICE, a.length)))!;
    yield (at === 0 ? '[' : ',') + text.slice(1, -1);
  }
  yield ']';
}

/** The report's JSON text in pieces, in JSON.stringify's key order; span columns in slices. */
export function* reportJsonChunks(report: Report): Generator<string> {
  let sep = '{';
  for (const [key, value] of Object.entries(report)) {
    if (key === 'spans' && value && typeof value === 'object') {
      yield `${sep}${JSON.stringify(key)}:`;
      let inner = '{';
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        if (Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView))) {
          yield `${inner}${JSON.stringify(k)}:`;
          yield* column(v as unknown as Parameters<typeof column>[0]);
        } else {
          const text = toJson(v);
          if (text === undefined) continue;
          yield `${inner}${JSON.stringify(k)}:${text}`;
        }
        inner = ',';
      }
      yield inner === '{' ? '{}' : '}';
    } else {
      const text = toJson(value);
      if (text === undefined) continue;
      yield `${sep}${JSON.stringify(key)}:${text}`;
    }
    sep = ',';
  }
  yield sep === '{' ? '{}' : '}';
}

/** Chunks of about `bytes` each, joined from the report's pieces (fewer write calls). */
function* batched(report: Report, bytes = 1 << 22): Generator<Buffer> {
  let parts: string[] = [];
  let size = 0;
  for (const piece of reportJsonChunks(report)) {
    parts.push(piece);
    size += piece.length;
    if (size >= bytes) { yield Buffer.from(parts.join('')); parts = []; size = 0; }
  }
  if (parts.length) yield Buffer.from(parts.join(''));
}

/**
 * Above this many spans a report is written packed: JSON costs ~85 bytes a span, so ten million
 * spans (~850 MB) pass the 512 MiB a reader accepts (MAX_REPORT_BYTES) and V8's longest string;
 * packed and gzipped they take ~3 bytes a span. Two million spans are ~170 MB of JSON, which
 * every reader of JSON (jq, older versions of parprof) still handles.
 */
export const PACK_SPANS_ABOVE = 2_000_000;

/**
 * Writes the report to `out`. Up to `packAbove` spans: JSON (gzip when `out` ends in .gz), plain
 * JSON to the file a chunk at a time; gzip compresses the bytes (a Buffer, not a string: no
 * length limit below 4 GiB) in one member, so any gunzip reads it. More spans: the packed form
 * (PPC1, see docs/report-format.md), gzip-compressed whatever the name. Where `out` cannot be
 * written, writeReport's fallbacks apply.
 */
export function writeReportStreamed(out: string, report: Report, packAbove = PACK_SPANS_ABOVE): WrittenReport & { metrics?: RunMetrics } {
  if (report.spans.count > packAbove) {
    // Its preview and first answers in the header: a viewer shows the first screen before it has
    // read any column. The metrics are returned: the caller prints them and need not compute them again.
    // Nothing computed here may cost the recording: whatever fails, the report is written without it.
    let metrics: RunMetrics | undefined;
    let answers;
    try {
      metrics = analyze(report);
      answers = reportAnswers(report, metrics, verdicts(metrics, report));
    } catch {
      // No answers in the header: the viewer computes them from the report, as for an older file.
    }
    return { ...writeReport(out, gzipSync(packReport(report, { preview: reportPreview(report), answers }))), metrics };
  }
  if (out.endsWith('.gz')) return writeReport(out, gzipSync(Buffer.concat([...batched(report)])));
  const existed = existsSync(out);
  let fd: number | undefined;
  try {
    fd = openSync(out, 'w');
    for (const chunk of batched(report)) {
      for (let at = 0; at < chunk.length;) at += writeSync(fd, chunk, at, chunk.length - at);
    }
    closeSync(fd);
    return { file: out };
  } catch {
    if (fd !== undefined) try { closeSync(fd); } catch { /* already closed */ }
    if (!existed) try { unlinkSync(out); } catch { /* nothing was created */ }
    // The same failure again through writeReport, which removes a half-written file and falls back.
    return writeReport(out, Buffer.concat([...batched(report)]));
  }
}
