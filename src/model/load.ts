// Loading and validating .parprof reports. Pure: runs in Node and in the browser. Gzip is not
// decoded here (node:zlib does not exist in a browser): the Node caller passes zlib.gunzipSync
// as `options.gunzip`; browser code can use parseReportAsync, which uses DecompressionStream.
import type { CpuProfile, Report, SpanColumns } from './report';
import { MAX_REPORT_BYTES, MAX_TIME_US } from './limits';
import { countProblem, jsonNestingProblem, profileTreeProblem, reportValueProblem } from './validate-values';
import { READABLE_VERSIONS, REPORT_FORMAT, SCHEDULES } from './report';
import { format2Problem } from './load-v2';
import { inTimeOrder } from './profile-order';
import { isEncodedColumn, isPackedReport, unpackReport } from './packed-report';
import { PackedStreamUnpacker } from './packed-stream';
import { ReportError } from './report-error';

export { ReportError };

export interface ParseOptions {
  /**
   * Decompresses gzip bytes; needed only for gzip-compressed input. It should stop at
   * `maxOutputLength` bytes (Node: `(b, max) => zlib.gunzipSync(b, { maxOutputLength: max })`), so
   * that a small gzip bomb cannot fill memory; larger output is refused after the fact anyway.
   */
  gunzip?: (bytes: Uint8Array, maxOutputLength: number) => Uint8Array;
  /** Largest input, compressed or not, in bytes; default MAX_REPORT_BYTES (512 MiB). */
  maxBytes?: number;
  /**
   * decodeReport only: span columns of a packed report to leave encoded (packed-report.ts
   * EncodedColumn; decodeOnRead decodes each on first read, validateReport reads them all).
   */
  lazySpanColumns?: readonly string[];
}

function mib(bytes: number): string {
  return `${Math.round(bytes / 1024 / 1024)} MiB`;
}

function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Text of a report given as text, bytes, or gzip-compressed bytes (with options.gunzip), checked
 * to nest no deeper than MAX_JSON_DEPTH before anything parses it.
 */
export function decodeReportText(data: Uint8Array | string, options?: ParseOptions): string {
  const text = decodeText(data, options);
  const deep = jsonNestingProblem(text);
  if (deep) throw new ReportError(deep);
  return text;
}

/** The bytes of a report: size-capped, gunzipped (options.gunzip) when gzip. */
function decodeBytes(data: Uint8Array, options?: ParseOptions): Uint8Array {
  const max = options?.maxBytes ?? MAX_REPORT_BYTES;
  let bytes = data;
  if (bytes.length > max) throw new ReportError(`report is too large: ${mib(bytes.length)}, the limit is ${mib(max)}`);
  if (isGzip(bytes)) {
    if (!options?.gunzip) throw new ReportError('report is gzip-compressed: pass options.gunzip (e.g. zlib.gunzipSync) to read it');
    try {
      bytes = options.gunzip(bytes, max);
    } catch (e) {
      if ((e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE' || e instanceof RangeError) {
        throw new ReportError(`report decompresses to more than ${mib(max)}, the limit`);
      }
      throw new ReportError(`report is gzip-compressed but could not be decompressed: ${(e as Error).message}`);
    }
    if (bytes.length > max) throw new ReportError(`report decompresses to more than ${mib(max)}, the limit`);
  }
  return bytes;
}

function decodeText(data: Uint8Array | string, options?: ParseOptions): string {
  if (typeof data === 'string') return data;
  const bytes = decodeBytes(data, options);
  if (isPackedReport(bytes)) throw new ReportError('report stores its span columns packed (PPC1, written for runs of millions of spans): read it with decodeReport or parseReport');
  return checkedText(bytes);
}

function checkedText(bytes: Uint8Array): string {
  try {
    return new TextDecoder().decode(bytes);
  } catch (e) {
    throw new ReportError(`report text cannot be decoded: ${(e as Error).message}`);
  }
}

/** Parses JSON without validating it; JSON errors become ReportError. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    // Binary bytes (no text at all) quoted back as replacement characters help nobody.
    if (/[\u0000-\u0008\u000e-\u001f\ufffd]/.test(text.slice(0, 256))) {
      throw new ReportError('not a report: its bytes are neither JSON text nor a packed or gzip-compressed report');
    }
    // `node --prof` writes its log as text lines, the first one V8's version.
    if (text.startsWith('v8-version,')) throw new ReportError(V8_TICK_LOG);
    throw new ReportError(`not valid JSON: ${(e as Error).message}`);
  }
}

/** What is said of a V8 tick log given where a report or trace was expected. */
export const V8_TICK_LOG = 'a V8 tick log (node --prof), which parprof does not read: '
  + "record with 'parprof record --profiler 0x <script>' to get every thread's ticks in a report, or read this log with 'node --prof-process <log>'";

/**
 * A report file's content, not yet validated: the value of a packed report (PPC1, see
 * packed-report.ts; gzip-compressed as the runner writes it for runs of millions of spans), its
 * columns typed arrays; else the JSON text (depth-checked, as decodeReportText gives it).
 */
export function decodeReport(data: Uint8Array | string, options?: ParseOptions): { value: unknown } | { text: string } {
  if (typeof data !== 'string') {
    const bytes = decodeBytes(data, options);
    if (isPackedReport(bytes)) return { value: unpackChecked(bytes, options?.lazySpanColumns) };
    data = checkedText(bytes);
  }
  return { text: decodeReportText(data, options) };
}

/** Parses and validates a report from bytes (JSON, gzip-compressed JSON with options.gunzip, or packed) or text. */
export function parseReport(data: Uint8Array | string, options?: ParseOptions): Report {
  const decoded = decodeReport(data, options);
  return validateReport('value' in decoded ? decoded.value : parseJson(decoded.text));
}

/** A packed report's skeleton and columns; a broken blob is a ReportError naming the problem. */
function unpackChecked(bytes: Uint8Array, lazy: readonly string[] = []): unknown {
  try {
    return unpackReport(bytes, (header) => {
      const deep = jsonNestingProblem(header);
      if (deep) throw new ReportError(deep);
    }, lazy);
  } catch (e) {
    if (e instanceof ReportError) throw e;
    throw new ReportError(`packed report cannot be read: ${(e as Error).message}`);
  }
}

/**
 * decodeReport, for a gzip-compressed packed report inflated as a stream (DecompressionStream):
 * each column is decoded from its own bytes as they come (packed-stream.ts), so the inflated blob
 * (263 MB at ten million spans) is never whole in memory. The same errors as decodeReport's, in
 * the same words; anything else is decoded by decodeReport.
 */
export async function decodeReportStreamed(data: Uint8Array, options?: Pick<ParseOptions, 'maxBytes' | 'lazySpanColumns'> & { inflate?: Inflater }): Promise<{ value: unknown } | { text: string }> {
  const max = options?.maxBytes ?? MAX_REPORT_BYTES;
  if (data.length > max || !isGzip(data)) return decodeReport(data, { ...options, gunzip: () => { throw new ReportError('not reached'); } });
  const sink = new PackedStreamUnpacker({
    lazy: options?.lazySpanColumns,
    checkHeader: (header) => {
      const deep = jsonNestingProblem(header);
      if (deep) throw new ReportError(deep);
    },
  });
  let packed: boolean | undefined;
  const head: Uint8Array[] = [];
  let inHead = 0;
  const total = await inflateEach(data, max, (value) => {
    if (packed) { sink.push(value); return; }
    head.push(value);
    inHead += value.length;
    if (packed !== undefined || inHead < 8) return;
    packed = isPackedReport(joined(head, inHead));
    // Not packed (gzip-compressed JSON): read whole, as decodeReport reads it.
    if (!packed) return;
    for (const h of head) sink.push(h);
    head.length = 0;
  }, options?.inflate);
  if (!packed) return decodeReport(joined(head, total), options);
  try {
    return { value: sink.end().report };
  } catch (e) {
    if (e instanceof ReportError) throw e;
    throw new ReportError(`packed report cannot be read: ${(e as Error).message}`);
  }
}

function joined(parts: Uint8Array[], length: number): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(length);
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

/** Like parseReport, but decompresses gzip itself with DecompressionStream (browsers, Node ≥ 18). */
export async function parseReportAsync(data: Uint8Array | string, options?: Pick<ParseOptions, 'maxBytes'>): Promise<Report> {
  const max = options?.maxBytes ?? MAX_REPORT_BYTES;
  if (typeof data !== 'string' && isGzip(data) && data.length <= max) data = await inflateCapped(data, max);
  return parseReport(data, { maxBytes: max });
}

/** Gzip bytes inflated chunk by chunk, stopped (ReportError) as soon as the output passes max bytes. */
async function inflateCapped(data: Uint8Array, max: number): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  const total = await inflateEach(data, max, (chunk) => chunks.push(chunk));
  return joined(chunks, total);
}

/**
 * Gzip bytes inflated as a stream, read chunk by chunk. DecompressionStream by default (browsers and
 * Node); Node's zlib can be given instead (reportParserProcess.ts): at ten million spans the web
 * stream's 64 KiB chunks and promise per chunk cost ~1.5 s of the reader's 5.7 s decode, zlib's
 * 1 MiB chunks ~0.2 s.
 */
export type Inflater = (gzip: Uint8Array) => { read(): Promise<{ done: boolean; value?: Uint8Array }>; cancel(): Promise<unknown> };

function decompressionStream(data: Uint8Array): ReturnType<Inflater> {
  const reader = new Blob([data as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream('gzip')).getReader();
  return { read: () => reader.read(), cancel: () => reader.cancel() };
}

/**
 * Gzip bytes inflated chunk by chunk (`inflate`), each chunk given to `take`; stopped
 * (ReportError) as soon as the output passes max bytes. Returns how many bytes it inflated.
 */
async function inflateEach(data: Uint8Array, max: number, take: (chunk: Uint8Array) => void, inflate: Inflater = decompressionStream): Promise<number> {
  const reader = inflate(data);
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done || !value) break;
      total += value.length;
      if (total > max) {
        void reader.cancel().catch(() => undefined);
        throw new ReportError(`report decompresses to more than ${mib(max)}, the limit`);
      }
      take(value);
    }
  } catch (e) {
    if (e instanceof ReportError) throw e;
    throw new ReportError(`report is gzip-compressed but could not be decompressed: ${(e as Error).message}`);
  }
  return total;
}

/** The report as JSON text (compact: reports with a million spans are large); typed columns (a packed report's) as arrays. */
export function serializeReport(report: Report): string {
  return JSON.stringify(report, (_key, v: unknown) => (ArrayBuffer.isView(v) && !(v instanceof DataView) ? Array.from(v as unknown as ArrayLike<number>) : v));
}

// Each check throws a ReportError naming the JSON path ('threads[2].name').
function fail(path: string, problem: string): never {
  throw new ReportError(`${path}: ${problem}`);
}
function describe(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return 'an array';
  if (typeof x === 'string') return `string ${JSON.stringify(x.length > 40 ? x.slice(0, 40) + '…' : x)}`;
  if (typeof x === 'number') return `number ${x}`;
  return typeof x;
}
function obj(x: unknown, path: string): Record<string, unknown> {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) fail(path, `expected an object, found ${describe(x)}`);
  return x as Record<string, unknown>;
}
function arr(x: unknown, path: string): unknown[] {
  if (!Array.isArray(x)) fail(path, `expected an array, found ${describe(x)}`);
  return x;
}
// Numbers beyond ±2^53 (MAX_TIME_US) are refused: sums and differences of them overflow to
// Infinity and NaN in the metrics, and integers there are no longer exact.
function num(x: unknown, path: string): number {
  if (typeof x !== 'number' || !(x >= -MAX_TIME_US && x <= MAX_TIME_US)) fail(path, `expected a number${typeof x === 'number' && Number.isFinite(x) ? ` within ±2^53` : ''}, found ${describe(x)}`);
  return x;
}
function int(x: unknown, path: string): number {
  if (!Number.isSafeInteger(x)) fail(path, `expected an integer${Number.isInteger(x) ? ` within ±2^53` : ''}, found ${describe(x)}`);
  return x as number;
}
function str(x: unknown, path: string): string {
  if (typeof x !== 'string') fail(path, `expected a string, found ${describe(x)}`);
  return x;
}
function oneOf<T extends string>(x: unknown, values: readonly T[], path: string): T {
  if (!values.includes(x as T)) fail(path, `expected one of ${values.map((v) => `'${v}'`).join(', ')}, found ${describe(x)}`);
  return x as T;
}
function optional<T>(x: unknown, check: (x: unknown, path: string) => T, path: string): void {
  if (x !== undefined) check(x, path);
}

/** Typed arrays whose entries are finite integers by construction. */
function isIntegerArray(x: unknown): boolean {
  return x instanceof Int32Array || x instanceof Int16Array || x instanceof Int8Array || x instanceof Uint32Array
    || x instanceof Uint16Array || x instanceof Uint8Array || x instanceof Uint8ClampedArray;
}

/** Number of entries of a column: a JSON array, or a Float64Array/Int32Array... (packed reports, postMessage). */
function columnLength(x: unknown, path: string): number {
  return x instanceof Float64Array || x instanceof Float32Array || isIntegerArray(x) ? (x as ArrayLike<number>).length : arr(x, path).length;
}

/**
 * A column of `count` finite numbers; one tight loop (a million spans validate in milliseconds).
 * Typed arrays are accepted in place of arrays (the model reads columns by index only).
 */
function column(x: unknown, count: number, path: string, integers: boolean): ArrayLike<number> {
  const a = (x instanceof Float64Array || x instanceof Float32Array || isIntegerArray(x) ? x : arr(x, path)) as ArrayLike<number>;
  if (a.length !== count) fail(path, `expected ${count} numbers, found ${a.length}`);
  if (isIntegerArray(a)) return a;
  for (let i = 0; i < count; i++) {
    const v = a[i];
    if (typeof v !== 'number' || !(v >= -MAX_TIME_US && v <= MAX_TIME_US) || (integers && Math.floor(v) !== v)) {
      fail(`${path}[${i}]`, `expected ${integers ? 'an integer' : 'a number'}${typeof v === 'number' && Number.isFinite(v) && (!integers || Math.floor(v) === v) ? ' within ±2^53' : ''}, found ${describe(v)}`);
    }
  }
  return a;
}

/**
 * The shape of a report that was validated already, by another process, byte for byte the same
 * (the VS Code report reader's validated file, handed on by the host: webview/report-decoder.ts
 * says why that is sound). Only what keeps every later step from reading past an array, cheap at
 * any size: the format, the arrays the views walk, and every column's length (spans, profiles,
 * waits, ELU); not the values (that is validateReport's work: ~0.2 s of CPU at ten million spans).
 * Profiles are put in time order as validateReport does: that is a transformation, not a check.
 */
export function checkValidatedShape(x: unknown): Report {
  const r = obj(x, 'report');
  if (r.format !== REPORT_FORMAT || !READABLE_VERSIONS.includes(r.version as number)) {
    throw new ReportError(`not a Parallel Profiler report of a version this reader knows (format ${describe(r.format)}, version ${describe(r.version)})`);
  }
  obj(r.meta, 'meta');
  for (const key of ['threads', 'regions', 'profiles', 'elu', 'markers'] as const) arr(r[key], key).forEach((e, i) => obj(e, `${key}[${i}]`));
  obj(r.dropped, 'dropped');
  obj(r.exit, 'exit');
  const s = obj(r.spans, 'spans');
  const count = int(s.count, 'spans.count');
  if (count < 0) fail('spans.count', `expected a count ≥ 0, found ${count}`);
  const lengthIs = (x: unknown, n: number, path: string) => {
    // A column left encoded (packed-report.ts EncodedColumn) is checked against the blob when it is decoded.
    const found = isEncodedColumn(x) ? x.$encoded.length : columnLength(x, path);
    if (found !== n) fail(path, `expected ${n} numbers, found ${found}`);
  };
  for (const name of SPAN_COLUMN_NAMES) lengthIs(s[name], count, `spans.${name}`);
  if (s.flags !== undefined) lengthIs(s.flags, count, 'spans.flags');
  if (r.waits !== undefined) {
    const w = obj(r.waits, 'waits');
    const n = columnLength(w.thread, 'waits.thread');
    lengthIs(w.start, n, 'waits.start');
    lengthIs(w.end, n, 'waits.end');
  }
  (r.profiles as Record<string, unknown>[]).forEach((tp, i) => {
    const p = obj(tp.profile, `profiles[${i}].profile`);
    arr(p.nodes, `profiles[${i}].profile.nodes`);
    lengthIs(p.timeDeltas, columnLength(p.samples, `profiles[${i}].profile.samples`), `profiles[${i}].profile.timeDeltas`);
    tp.profile = inTimeOrder(p as unknown as CpuProfile);
  });
  (r.elu as Record<string, unknown>[]).forEach((e, i) => lengthIs(e.u, columnLength(e.t, `elu[${i}].t`), `elu[${i}].u`));
  return r as unknown as Report;
}

const SPAN_COLUMN_NAMES = ['thread', 'region', 'index', 'first', 'items', 'enqueue', 'start', 'end', 'stolenFrom', 'parent', 'failed'] as const;

/**
 * Checks that x is a version-1 report and returns it typed. Checks every field's type, that span
 * columns have `count` entries, and that spans, profiles and ELU series refer to known threads
 * and regions. Throws ReportError naming the first problem.
 */
export function validateReport(x: unknown): Report {
  const r = obj(x, 'report');
  if (r.format !== REPORT_FORMAT) {
    throw new ReportError(r.format === undefined ? `not a Parallel Profiler report: missing format '${REPORT_FORMAT}'`
      : `not a Parallel Profiler report: format is ${describe(r.format)}, expected '${REPORT_FORMAT}'`);
  }
  if (!READABLE_VERSIONS.includes(r.version as number)) {
    throw new ReportError(`unsupported report version ${JSON.stringify(r.version)} (this reader knows ${READABLE_VERSIONS.join(' and ')})`);
  }
  const meta = obj(r.meta, 'meta');
  str(meta.script, 'meta.script');
  arr(meta.args, 'meta.args').forEach((a, i) => str(a, `meta.args[${i}]`));
  str(meta.cwd, 'meta.cwd');
  str(meta.nodeVersion, 'meta.nodeVersion');
  str(meta.nodePath, 'meta.nodePath');
  int(meta.cores, 'meta.cores');
  str(meta.platform, 'meta.platform');
  num(meta.startedAt, 'meta.startedAt');
  num(meta.originUs, 'meta.originUs');
  num(meta.durationUs, 'meta.durationUs');
  const pool = obj(meta.pool, 'meta.pool');
  int(pool.threads, 'meta.pool.threads');
  oneOf(pool.schedule, SCHEDULES, 'meta.pool.schedule');
  num(meta.sampleIntervalUs, 'meta.sampleIntervalUs');
  str(meta.recorder, 'meta.recorder');

  const threadIds = new Set<number>();
  // Counts first, so that a file of a million threads is refused before they are checked one by one.
  const tooMany = countProblem(arr(r.threads, 'threads').length, arr(r.regions, 'regions').length);
  if (tooMany) fail(tooMany.path, tooMany.problem);
  arr(r.threads, 'threads').forEach((t, i) => {
    const p = `threads[${i}]`;
    const th = obj(t, p);
    const id = int(th.id, `${p}.id`);
    if (threadIds.has(id)) fail(`${p}.id`, `thread ${id} appears twice`);
    threadIds.add(id);
    str(th.name, `${p}.name`);
    oneOf(th.kind, ['main', 'worker'], `${p}.kind`);
    optional(th.pool, int, `${p}.pool`);
    num(th.start, `${p}.start`);
    optional(th.end, num, `${p}.end`);
    if (th.terminated !== undefined) num(obj(th.terminated, `${p}.terminated`).at, `${p}.terminated.at`);
    if (th.died !== undefined) {
      const d = obj(th.died, `${p}.died`);
      num(d.at, `${p}.died.at`);
      str(d.reason, `${p}.died.reason`);
    }
  });

  const regionIds = new Set<number>();
  arr(r.regions, 'regions').forEach((g, i) => {
    const p = `regions[${i}]`;
    const reg = obj(g, p);
    const id = int(reg.id, `${p}.id`);
    if (regionIds.has(id)) fail(`${p}.id`, `region ${id} appears twice`);
    regionIds.add(id);
    str(reg.name, `${p}.name`);
    oneOf(reg.kind, ['map', 'forEach', 'reduce', 'join', 'external'], `${p}.kind`);
    int(reg.pool, `${p}.pool`);
    str(reg.fn, `${p}.fn`);
    if (reg.callSite !== undefined) {
      const c = obj(reg.callSite, `${p}.callSite`);
      str(c.file, `${p}.callSite.file`);
      int(c.line, `${p}.callSite.line`);
      int(c.column, `${p}.callSite.column`);
    }
    oneOf(reg.schedule, [...SCHEDULES, 'external'], `${p}.schedule`);
    int(reg.threads, `${p}.threads`);
    int(reg.items, `${p}.items`);
    int(reg.chunkSize, `${p}.chunkSize`);
    const start = num(reg.start, `${p}.start`);
    if (reg.end !== undefined && num(reg.end, `${p}.end`) < start) fail(`${p}.end`, `${reg.end} is before start ${start}`);
    oneOf(reg.outcome, ['ok', 'error', 'cancelled', 'unfinished'], `${p}.outcome`);
  });

  // A negative duration is refused below (reportValueProblem) as what it is, not as spans after it.
  validateSpans(obj(r.spans, 'spans'), threadIds, regionIds, (meta.durationUs as number) >= 0 ? meta.durationUs as number : Infinity);

  arr(r.profiles, 'profiles').forEach((tp, i) => {
    const p = `profiles[${i}]`;
    const o = obj(tp, p);
    const thread = int(o.thread, `${p}.thread`);
    if (!threadIds.has(thread)) fail(`${p}.thread`, `thread ${thread} is not in threads`);
    optional(o.partial, (v, q) => typeof v === 'boolean' || fail(q, `expected a boolean, found ${describe(v)}`), `${p}.partial`);
    // Reports recorded before the runner sorted samples can hold V8's few negative deltas: put them in order.
    o.profile = inTimeOrder(validateCpuProfile(o.profile, `${p}.profile`, { negativeDeltas: true }));
  });

  arr(r.elu, 'elu').forEach((e, i) => {
    const p = `elu[${i}]`;
    const o = obj(e, p);
    const thread = int(o.thread, `${p}.thread`);
    if (!threadIds.has(thread)) fail(`${p}.thread`, `thread ${thread} is not in threads`);
    const n = columnLength(o.t, `${p}.t`);
    column(o.t, n, `${p}.t`, false);
    column(o.u, n, `${p}.u`, false);
  });

  arr(r.markers, 'markers').forEach((m, i) => {
    const p = `markers[${i}]`;
    const o = obj(m, p);
    num(o.t, `${p}.t`);
    int(o.thread, `${p}.thread`);
    oneOf(o.kind, ['error', 'exit', 'worker-exit', 'worker-error', 'cancelled', 'killed', 'note'], `${p}.kind`);
    str(o.message, `${p}.message`);
    optional(o.stack, str, `${p}.stack`);
  });

  const dropped = obj(r.dropped, 'dropped');
  int(dropped.spans, 'dropped.spans');
  int(dropped.samples, 'dropped.samples');
  int(dropped.profiles, 'dropped.profiles');

  const exit = obj(r.exit, 'exit');
  if (exit.code !== null) int(exit.code, 'exit.code');
  if (exit.signal !== null) str(exit.signal, 'exit.signal');
  if (exit.error !== null) {
    const e = obj(exit.error, 'exit.error');
    str(e.message, 'exit.error.message');
    optional(e.stack, str, 'exit.error.stack');
  }
  const v2 = format2Problem(r);
  if (v2) fail(v2.path, v2.problem);
  const wrong = reportValueProblem(r as unknown as Report);
  if (wrong) fail(wrong.path, wrong.problem);
  return r as unknown as Report;
}

/**
 * How far a span may reach outside the run, µs: before the origin or after `meta.durationUs`.
 * Slack for clocks read in different processes, not a place for spans: the runner reads the
 * origin before the spawn and the end when it sees the exit, so a recorded span lies inside.
 */
export const SPAN_OUTSIDE_RUN_US = 1000;

function validateSpans(s: Record<string, unknown>, threadIds: Set<number>, regionIds: Set<number>, durationUs: number): void {
  const count = int(s.count, 'spans.count');
  if (count < 0) fail('spans.count', `expected a count ≥ 0, found ${count}`);
  const ints: (keyof SpanColumns)[] = ['thread', 'region', 'index', 'first', 'items', 'stolenFrom', 'parent', 'failed'];
  for (const name of ints) column(s[name], count, `spans.${name}`, true);
  for (const name of ['enqueue', 'start', 'end'] as const) column(s[name], count, `spans.${name}`, false);
  if (s.flags !== undefined) column(s.flags, count, 'spans.flags', true);
  const thread = s.thread as number[], region = s.region as number[], start = s.start as number[], end = s.end as number[];
  // Thread and region ids are small sets; a last-seen cache skips most lookups since spans come in runs.
  let lastThread = NaN, lastRegion = NaN;
  for (let i = 0; i < count; i++) {
    const t = thread[i];
    if (t !== lastThread) {
      if (!threadIds.has(t)) fail(`spans.thread[${i}]`, `thread ${t} is not in threads`);
      lastThread = t;
    }
    const g = region[i];
    if (g !== lastRegion) {
      if (!regionIds.has(g)) fail(`spans.region[${i}]`, `region ${g} is not in regions`);
      lastRegion = g;
    }
    // enqueue > start is tolerated (enqueue is stamped on another thread; analysis clamps waits at 0).
    if (end[i] < start[i]) fail(`spans.end[${i}]`, `${end[i]} is before start ${start[i]}`);
    // Times are µs from the run's origin: a span outside 0..durationUs would count as busy time the run never had.
    if (start[i] < -SPAN_OUTSIDE_RUN_US) fail(`spans.start[${i}]`, `span ${i} (thread ${t}) starts at ${start[i]} µs, before the run's origin (0)`);
    if (end[i] > durationUs + SPAN_OUTSIDE_RUN_US) fail(`spans.end[${i}]`, `span ${i} (thread ${t}) ends at ${end[i]} µs, after the run's end (meta.durationUs ${durationUs})`);
  }
}

/** Checks the shape of a V8 CPU profile: node ids unique, children and samples refer to nodes, one delta per sample. */
export function validateCpuProfile(x: unknown, path: string, options?: { negativeDeltas?: boolean }): CpuProfile {
  const o = obj(x, path);
  const nodes = arr(o.nodes, `${path}.nodes`);
  const ids = new Map<number, number>();
  for (let i = 0; i < nodes.length; i++) {
    const p = `${path}.nodes[${i}]`;
    const n = obj(nodes[i], p);
    const id = int(n.id, `${p}.id`);
    if (ids.has(id)) fail(`${p}.id`, `node id ${id} appears twice`);
    ids.set(id, i);
    const cf = obj(n.callFrame, `${p}.callFrame`);
    str(cf.functionName, `${p}.callFrame.functionName`);
    str(cf.scriptId, `${p}.callFrame.scriptId`);
    str(cf.url, `${p}.callFrame.url`);
    int(cf.lineNumber, `${p}.callFrame.lineNumber`);
    int(cf.columnNumber, `${p}.callFrame.columnNumber`);
    optional(n.hitCount, int, `${p}.hitCount`);
    if (n.positionTicks !== undefined) {
      arr(n.positionTicks, `${p}.positionTicks`).forEach((t, k) => {
        const pt = obj(t, `${p}.positionTicks[${k}]`);
        int(pt.line, `${p}.positionTicks[${k}].line`);
        int(pt.ticks, `${p}.positionTicks[${k}].ticks`);
      });
    }
  }
  for (let i = 0; i < nodes.length; i++) {
    const children = (nodes[i] as Record<string, unknown>).children;
    if (children === undefined) continue;
    const c = column(children, arr(children, `${path}.nodes[${i}].children`).length, `${path}.nodes[${i}].children`, true);
    for (let k = 0; k < c.length; k++) {
      if (!ids.has(c[k])) fail(`${path}.nodes[${i}].children[${k}]`, `node ${c[k]} is not in nodes`);
    }
  }
  const notTree = profileTreeProblem(nodes as CpuProfile['nodes'], ids, path);
  if (notTree) fail(notTree.path, notTree.problem);
  const startTime = num(o.startTime, `${path}.startTime`);
  if (num(o.endTime, `${path}.endTime`) < startTime) fail(`${path}.endTime`, `${o.endTime} is before startTime ${startTime}`);
  const samples = column(o.samples, columnLength(o.samples, `${path}.samples`), `${path}.samples`, true);
  const deltas = column(o.timeDeltas, samples.length, `${path}.timeDeltas`, false);
  // V8 can write a few negative deltas (samples out of order); callers that allow them sort the samples (profile-order.ts).
  if (!options?.negativeDeltas) {
    for (let i = 0; i < deltas.length; i++) if (deltas[i] < 0) fail(`${path}.timeDeltas[${i}]`, `expected a delta ≥ 0, found ${deltas[i]}`);
  }
  let last = NaN;
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i] as number;
    if (s !== last && !ids.has(s)) fail(`${path}.samples[${i}]`, `node ${s} is not in nodes`);
    last = s;
  }
  return o as unknown as CpuProfile;
}
