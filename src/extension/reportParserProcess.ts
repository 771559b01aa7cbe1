// The child process that reads one report file for the extension (dist/report-parser.js, forked by
// reportParser.ts with `node <this> <want> <file>`). A report is untrusted input: reading,
// importing, validating and analysing it happen here, outside the extension host, under the heap
// and time limits the host set. No `vscode` here: this is a plain Node process.
import { createHash } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { setPriority } from 'node:os';
import { basename } from 'node:path';
import { constants as zlib, createGunzip, gunzipSync, gzipSync } from 'node:zlib';
import { readAnyReportFile } from '../runner/read-import';
import { gunzipCapped, readFileCapped, readFilePrefix, zlibFileInflater, zlibInflater } from '../runner/read-report';
import { importReport, parseAnyReport } from '../model/import';
import { headerPreview, laneTasksMismatch, reportPreview, type ReportPreview } from '../model/report-preview';
import { answersMismatch, headerAnswers, reportAnswers, type ReportAnswers } from '../model/report-answers';
import { packageVersion } from '../runner/paths';
import { parseSweepReport } from '../model/sweep-report';
import { analyze, type RunMetrics } from '../model/analysis';
import { verdicts } from '../model/summary';
import { filesNamedBy } from '../model/source-access';
import { decodeOnRead, isPackedReport, packReport, PackedUnpacker, typedColumns } from '../model/packed-report';
import { decodeReport, decodeReportStreamed, validateReport } from '../model/load';
import { jsonNestingProblem } from '../model/validate-values';
import type { Report, RunMeta } from '../model/report';
import { PACKED_VIEW_ABOVE, WINDOW_SPANS, type PackedHead, type ParseReply, type ParseRequest, type SliceRequest } from './reportParser';
import { taskCount } from '../model/run-views';
import { sliceIndex, sliceReport, sliceWindow, sliceWindowEnding, type SliceIndex } from '../model/slice';

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

/**
 * A reply, and the replies that follow it, each computed once the one before is written (a large
 * report's view: validated, its bytes, its metrics). The first that is not ok ends the sequence.
 */
interface Replies { reply: ParseReply; then?: (() => ParseReply | Promise<ParseReply>)[] }

/** The first bytes of a file read to tell a windowed report by its header (a 2 MB header took 450 KB of a 10M-span file). */
const HEAD_PREFIX_BYTES = 8 * 2 ** 20;

/** Bytes of a packed report's header inflated at most while looking for it (a header is a few KiB to a few MiB). */
const HEAD_MAX_BYTES = 64 * 2 ** 20;

/**
 * The packed report's header in `bytes` (gzip-compressed or not) read alone, when it holds more
 * than PACKED_VIEW_ABOVE spans and is well formed: its meta (checked as validateReport checks
 * it, with the threads, regions and markers of the header) and its span count. Undefined for
 * anything else, which is then read whole before any of it is sent. Only the file's first bytes are
 * inflated (a sync flush inflates a prefix without asking for the end of the stream).
 */
async function packedHead(bytes: Uint8Array): Promise<{ meta: RunMeta; spans: number; preview?: ReportPreview } | undefined> {
  try {
    const head = await headerPrefix(bytes);
    if (!head) return undefined;
    const unpacker = new PackedUnpacker(head.byteOffset % 8 === 0 ? head : head.slice(), (json) => {
      const deep = jsonNestingProblem(json);
      if (deep) throw new Error(deep);
    });
    const skeleton = unpacker.skeleton as Record<string, unknown>;
    const spans = (skeleton.spans as { count?: unknown } | undefined)?.count;
    if (typeof spans !== 'number' || !Number.isInteger(spans) || spans <= PACKED_VIEW_ABOVE) return undefined;
    // The header without its columns (spans, samples, waits: what the full validation reads), checked as a report.
    const checked = validateReport({ ...skeleton, spans: { count: 0, ...Object.fromEntries(SPAN_COLUMN_NAMES.map((c) => [c, []])) }, profiles: [], waits: undefined });
    const preview = headerPreview(unpacker.preview, checked, spans);
    const answers = preview && headerAnswers(unpacker.answers, checked, packageVersion());
    return { meta: checked.meta, spans, preview: preview && answers ? { ...preview, answers } : preview };
  } catch {
    return undefined;
  }
}

/**
 * The packed header at the start of `bytes` (gzip-compressed or not), inflated as a stream that
 * stops once the header is in; undefined when there is none. Past the header the columns inflate
 * up to 30 times over: prefixes inflated whole (gunzipSync) went past it by megabytes (a 2 MB
 * header of a 10M-span file: 0.2-0.3 s of the reader's first reply, now ~10 ms).
 */
function headerPrefix(bytes: Uint8Array): Promise<Uint8Array | undefined> {
  if (!isGzip(bytes)) {
    const need = PackedUnpacker.headerBytes(bytes);
    return Promise.resolve(need !== undefined && need <= HEAD_MAX_BYTES && bytes.length >= need ? bytes.subarray(0, need) : undefined);
  }
  return new Promise((resolve) => {
    const inflate = createGunzip({ chunkSize: 256 * 1024 });
    const chunks: Uint8Array[] = [];
    let got = 0;
    let need: number | undefined;
    const done = (head: Uint8Array | undefined) => {
      inflate.removeAllListeners('data');
      inflate.destroy();
      resolve(head);
    };
    inflate.on('data', (chunk: Uint8Array) => {
      chunks.push(chunk);
      got += chunk.length;
      if (need === undefined && got >= 8) need = PackedUnpacker.headerBytes(Buffer.concat(chunks, got));
      if (need === undefined && got >= 8) return done(undefined);
      if (need !== undefined && need > HEAD_MAX_BYTES) return done(undefined);
      if (need !== undefined && got >= need) done(Buffer.concat(chunks, got).subarray(0, need));
    });
    // A prefix that ends inside the header, or bytes that are not gzip after all: no header here.
    inflate.on('end', () => resolve(undefined));
    inflate.on('error', () => resolve(undefined));
    inflate.end(bytes);
  });
}

const SPAN_COLUMN_NAMES = ['thread', 'region', 'index', 'first', 'items', 'enqueue', 'start', 'end', 'stolenFrom', 'parent', 'failed', 'flags'] as const;
/** The span columns reportPreview reads. */
const PREVIEW_COLUMNS: readonly string[] = ['thread', 'start', 'end'];

/**
 * The report in `file` for a view. Up to PACKED_VIEW_ABOVE spans: the report, validated, then its
 * metrics (computed once the report is sent: the webview draws it meanwhile). Above: what the webview needs to fetch the file (its length, SHA-256, meta) as soon as
 * the file is read and hashed, when it is a packed report whose header says so; then, once the
 * whole report is validated here, `validated` (the webview shows nothing before) or why not; then
 * the packed bytes (for a webview that cannot fetch the file); then the metrics. A report that is
 * not packed (or whose header is not enough) is validated, then packed, before the first reply.
 */
async function forView(file: string, windowAbove: number): Promise<Replies> {
  const isFile = statSync(file, { throwIfNoEntry: false })?.isFile() === true;
  if (isFile) {
    // A windowed report is told from its first bytes (its header), and read from the disk as it is decoded.
    const { prefix } = readFilePrefix(file, HEAD_PREFIX_BYTES);
    const head = holdsPacked(prefix) ? await packedHead(prefix) : undefined;
    if (head && head.spans > windowAbove && isGzip(prefix)) return windowed(file, prefix, head, false);
  }
  const bytes = isFile ? readFileCapped(file) : undefined;
  const head = bytes && holdsPacked(bytes) ? await packedHead(bytes) : undefined;
  if (bytes && head && head.spans > windowAbove) return windowed(file, bytes, head, true);
  if (bytes && head) {
    const view: PackedHead = { gzipped: isGzip(bytes), sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length, meta: head.meta, spans: head.spans };
    let decoded: unknown;
    let report: Report | undefined;
    const fromHeader = head.preview;
    return { reply: { ok: true, want: 'view', view }, then: [
      // The header's preview (a recording's writer puts it there), sent at once; else the span
      // columns decoded, not yet validated: the preview is numbers drawn as shapes (its thread
      // names are the header's, checked above), sent ~0.4 s (10M spans) before the validation's verdict.
      fromHeader ? () => ({ ok: true, want: 'preview', preview: fromHeader }) : () => tried(() => {
        // Only the columns the preview reads are decoded now; the others once validated (decodeOnRead).
        const value = decodeReport(bytes, { gunzip: gunzipCapped, lazySpanColumns: SPAN_COLUMN_NAMES.filter((c) => !PREVIEW_COLUMNS.includes(c)) });
        if (!('value' in value)) throw new Error('not a packed report');
        decoded = value.value;
        let preview: ReportPreview | undefined;
        try {
          preview = reportPreview(decoded as Report);
        } catch {
          // No first screen then: the report shows when decoded.
        }
        return { ok: true, want: 'preview', preview };
      }),
      async () => {
        if (decoded === undefined) {
          // Inflated as a stream, each column decoded from its own bytes: the inflated file is never whole here.
          const value = await decodeReportStreamed(bytes, { inflate: zlibInflater });
          if (!('value' in value)) throw new Error('not a packed report');
          decoded = value.value;
        }
        const spans = (decoded as { spans?: unknown }).spans;
        if (spans && typeof spans === 'object') decodeOnRead(spans as Record<string, unknown>);
        report = importReport(decoded, basename(file));
        decoded = undefined;
        if (report.spans.count !== head.spans) throw new Error(`the report's header says ${head.spans} spans, its columns hold ${report.spans.count}`);
        // The preview shown came from the header: its task counts are the spans' or the report is not valid.
        const off = fromHeader && laneTasksMismatch(fromHeader, report);
        if (off) throw new Error(off);
        return validatedReply(report);
      },
      () => metricsReply(report!, fromHeader?.answers),
      // A copy of exactly the file's bytes (readFileCapped's buffer has room to spare).
      () => ({ ok: true, want: 'packed', packed: bytes.slice() }),
    ] };
  }
  const report: Report = bytes ? parseAnyReport(bytes, { gunzip: gunzipCapped, name: basename(file) }) : readAnyReportFile(file);
  // Sent before its metrics are computed (0.4 s of a 1M-span report): the webview draws it meanwhile.
  if (report.spans.count <= PACKED_VIEW_ABOVE) return { reply: { ok: true, want: 'report-first', report: typedColumns(report) }, then: [() => metricsReply(report)] };
  const own = bytes !== undefined && holdsPacked(bytes);
  // A report not read from a packed file (JSON, an import) is packed here, and gzipped for the way
  // to the webview (PACKED_VIEW_ABOVE says why), as its windows are: after its preview has gone
  // (0.5-0.8 s for a million spans), so that the first screen does not wait for it.
  let packed = own ? bytes.slice() : undefined;
  const view: PackedHead = {
    gzipped: own ? isGzip(bytes) : true,
    sha256: own ? createHash('sha256').update(bytes).digest('hex') : undefined,
    bytes: packed?.byteLength ?? 0,
    meta: report.meta,
    spans: report.spans.count,
  };
  // Without a SHA-256 the webview cannot fetch the file: the bytes are what it waits for, before the metrics.
  const bytesReply = (): ParseReply => ({ ok: true, want: 'packed', packed: packed ??= gzipSync(packReport(report), { level: 1 }) });
  return { reply: { ok: true, want: 'view', view }, then: [() => ({ ok: true, want: 'preview', preview: reportPreview(report) }), () => validatedReply(report),
    ...(view.sha256 === undefined ? [bytesReply, () => metricsReply(report)] : [() => metricsReply(report), bytesReply])] };
}

/**
 * A report above the windowed threshold (a packed file whose header says so): the webview is never
 * sent all of it. Its header's preview at once; then the report decoded (zlib, column by column),
 * validated, and kept here; its first window (`slice`); its metrics; then this process stays, and
 * answers each `SliceRequest` of the host with another window, until the host ends it.
 */
function windowed(file: string, bytes: Uint8Array, head: NonNullable<Awaited<ReturnType<typeof packedHead>>>, whole: boolean): Replies {
  const size = whole ? bytes.length : statSync(file, { throwIfNoEntry: false })?.size ?? bytes.length;
  const view: PackedHead = { gzipped: isGzip(bytes), bytes: size, meta: head.meta, spans: head.spans, windowed: true };
  let report: Report | undefined;
  const fromHeader = head.preview;
  return { reply: { ok: true, want: 'view', view }, then: [
    () => ({ ok: true, want: 'preview', preview: fromHeader }),
    async () => {
      // From the disk as it inflates, unless the file was read whole (`bytes` may be only its first bytes: the header's).
      const value = await decodeReportStreamed(bytes, { inflate: whole ? zlibInflater : zlibFileInflater(file) });
      if (!('value' in value)) throw new Error('not a packed report');
      const spans = (value.value as { spans?: unknown }).spans;
      if (spans && typeof spans === 'object') decodeOnRead(spans as Record<string, unknown>);
      report = importReport(value.value, basename(file));
      if (report.spans.count !== head.spans) throw new Error(`the report's header says ${head.spans} spans, its columns hold ${report.spans.count}`);
      const off = fromHeader && laneTasksMismatch(fromHeader, report);
      if (off) throw new Error(off);
      serving = report;
      return validatedReply(report);
    },
    () => sliceReply({}),
    () => metricsReply(report!, fromHeader?.answers),
  ] };
}

/** The report a windowed view's reader keeps, once validated, and its windows' index. */
let serving: Report | undefined;
let servingIndex: SliceIndex | undefined;
let servingTasks: number | undefined;

/** The window `request` asks for, as a report of its own, packed and gzip-compressed. */
function sliceReply(request: SliceRequest): ParseReply {
  if (!serving) return { ok: false, message: 'no report to cut a window from' };
  const index = (servingIndex ??= sliceIndex(serving));
  const window = typeof request.to === 'number' && Number.isFinite(request.to)
    ? sliceWindowEnding(index, request.to, WINDOW_SPANS)
    : sliceWindow(index, typeof request.from === 'number' && Number.isFinite(request.from) ? request.from : index.from, WINDOW_SPANS);
  const slice = sliceReport(serving, window.from, window.to);
  servingTasks ??= taskCount(serving);
  // gzip level 1: 5.7 MiB → 2.0 MiB in 51 ms at 250k spans (the windows were that large at first); the way to the webview (the host, and in
  // code-server its server and socket) carried ~6 MB/s here.
  return { ok: true, want: 'slice', packed: gzipSync(packReport(slice), { level: 1 }), gzipped: true, slice: {
    from: window.from, to: window.to, spans: slice.spans.count, totalSpans: serving.spans.count, tasks: taskCount(slice), totalTasks: servingTasks,
    runFrom: index.from, runTo: index.to, budget: WINDOW_SPANS } };
}

/** After a large report's view: it is valid, and what the host reads of it. */
function validatedReply(report: Report): ParseReply {
  return { ok: true, want: 'validated', sourceFiles: [...filesNamedBy(report)] };
}

/**
 * The report's metrics and findings; none when they cannot be computed (the webview computes them
 * then), and the bytes still follow. `shown`: the answers a first screen showed from the file's
 * header, checked here against the report's own.
 */
function metricsReply(report: Report, shown?: ReportAnswers): ParseReply {
  let metrics: RunMetrics;
  try {
    metrics = analyze(report);
  } catch {
    return { ok: true, want: 'metrics' };
  }
  let findings: string[] | undefined;
  try {
    findings = verdicts(metrics, report);
  } catch {
    // The webview computes them (and says why they failed, if they do there too).
  }
  let mismatch: string | undefined;
  if (shown) {
    try {
      mismatch = answersMismatch(shown, reportAnswers(report, metrics, findings ?? []));
    } catch (e) {
      mismatch = `its own could not be computed to check them (${e instanceof Error ? e.message : String(e)})`;
    }
  }
  return { ok: true, want: 'metrics', metrics, findings, ...(mismatch ? { answersMismatch: mismatch } : {}) };
}

/** `f`'s reply, or why it failed (thrown, or rejected). */
async function settled(f: () => ParseReply | Promise<ParseReply>): Promise<ParseReply> {
  try {
    return await f();
  } catch (e) {
    return { ok: false, message: e instanceof Error ? e.message : String(e) };
  }
}

function tried(f: () => ParseReply): ParseReply {
  try {
    return f();
  } catch (e) {
    return { ok: false, message: e instanceof Error ? e.message : String(e) };
  }
}

async function run(request: ParseRequest): Promise<Replies> {
  try {
    if (request.want === 'sweep') {
      try {
        return { reply: { ok: true, want: 'sweep', sweep: parseSweepReport(new TextDecoder().decode(readFileCapped(request.file))) } };
      } catch (e) {
        throw new Error(`${basename(request.file)}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    if (request.want === 'view') return await forView(request.file, request.windowAbove ?? Infinity);
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

const [want, file, above] = process.argv.slice(2);
const windowAbove = Number(above);
/** The replies that follow the first, computed one after another (sendFrom). */
let then: (() => ParseReply | Promise<ParseReply>)[] = [];
void run({ file, want: want === 'entry' || want === 'sweep' || want === 'view' ? want : 'report', ...(Number.isFinite(windowAbove) ? { windowAbove } : {}) }).then((replies) => {
  then = replies.then ?? [];
  sendFrom(replies.reply, 0);
});
/**
 * Once a large report is validated, what is left here (its metrics and findings: 5-7 s of CPU at
 * ten million spans) is background work: the webview shows the report without them, and on a
 * 2-core machine they took a core from the webview's decoding and first draw. Every thread of this
 * process (V8's helpers too: on Linux a priority is a thread's) lowers its scheduling priority to
 * nice 19 (a process may always lower its own); where a core is free they still run at once. The
 * preview and the validation keep their priority: the webview waits for both.
 */
function yieldTheCores(): void {
  let threads: number[] = [0];
  try {
    threads = readdirSync('/proc/self/task').map(Number).filter((t) => t > 0);
  } catch {
    // Not Linux: the process's own priority.
  }
  for (const t of threads) {
    try {
      setPriority(t, 19);
    } catch {
      // Not allowed here, or the thread ended: it runs at the priority it has.
    }
  }
}

// Exits once the replies are written to the channel (a large report takes a while to send). Each
// reply that follows is computed only once the one before is written: the channel writes while the
// event loop runs, and validating or analysing would hold it for seconds.
function sendFrom(next: ParseReply, k: number): void {
  process.send?.(next, undefined, undefined, () => {
    // A windowed view's first window is drawn before the metrics: the cores are given up after it.
    if (next.ok && (serving ? next.want === 'slice' : next.want === 'validated' || next.want === 'report-first')) yieldTheCores();
    if (next.ok && k < then.length) void settled(then[k]).then((after) => sendFrom(after, k + 1));
    else if (next.ok && serving) serveWindows();
    else process.disconnect?.();
  });
}

/** A windowed view's reader, once it has said everything: a window for each request, until the host ends it (or goes). */
function serveWindows(): void {
  process.on('message', (request: SliceRequest) => {
    const reply = tried(() => sliceReply(request && typeof request === 'object' ? request : {}));
    process.send?.(reply);
  });
  process.on('disconnect', () => process.exit(0));
}
