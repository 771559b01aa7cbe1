// A report with its large numeric columns (task spans, CPU profile samples and time deltas) as
// binary typed arrays instead of JSON numbers. Two uses:
// - `packReport`/`unpackReport`: one self-describing byte blob (a small JSON header + aligned,
//   narrowed, delta-encoded columns) for the standalone HTML file: the page inflates a fraction of
//   the bytes and never JSON-parses a million numbers;
// - `typedColumns`: the same report with Float64Array/Int32Array columns, for postMessage (VS Code
//   transfers ArrayBuffers as binary; number arrays go through JSON).
// Typed arrays stand in for the report's number[] columns: the model reads columns by index only,
// and validateReport accepts typed columns. Pure: no I/O, no compression (callers gzip the blob).
import type { Report } from './report';
import { ReportError } from './report-error';
import type { ReportPreview } from './report-preview';
import type { ReportAnswers } from './report-answers';
import { toBase64 } from './base64';

const MAGIC = 0x31435050; // 'PPC1' little-endian
const SPAN_COLUMNS = ['thread', 'region', 'index', 'first', 'items', 'enqueue', 'start', 'end', 'stolenFrom', 'parent', 'failed'] as const;
/** Columns of the blocking waits (format 2), packed like span columns: a lock-heavy run has many. */
const WAIT_COLUMNS = ['thread', 'start', 'end'] as const;

/** Signed integers of 1-4 bytes (i16-i32 as byte planes), or doubles. */
type Storage = 'i8' | 'i16' | 'i24' | 'i32' | 'f64';
const WIDTH: Record<Storage, number> = { i8: 1, i16: 2, i24: 3, i32: 4, f64: 8 };

/** How one column is stored in a packed blob. */
interface ColumnInfo {
  /** Byte offset from the start of the column data (a multiple of 8). Wider than 1 byte: stored as byte planes (see shuffle). */
  offset: number;
  length: number;
  storage: Storage;
  /** 'raw': the integers; 'delta': differences to the previous entry; 'base': differences to column `base`. */
  mode: 'raw' | 'delta' | 'base';
  base?: number;
  /** Stored integers are value × scale (1, or 1000 for µs times rounded to the ns); 0: stored as the doubles themselves. */
  scale: number;
  /** Array type of the decoded column. */
  out: 'i32' | 'f64';
}

/** A column in the header's report skeleton: `{ $column: k }` stands for columns[k]. */
interface ColumnRef { $column: number }

/**
 * A large report's first screen (report-preview.ts) kept in its header, where a reader finds it
 * before any column: the preview's end and, per lane (threads by id), the thread, its task count
 * and its busy bins as base64 bytes. Names and the rest come from the header's report.
 */
export interface HeaderPreview { endUs: number; lanes: { thread: number; tasks: number; busy: string }[] }

/**
 * The blob: 'PPC1', u32 header length, UTF-8 JSON header { report, columns, preview?, answers? },
 * then the columns. `preview` and `answers`: the report's preview and first answers
 * (report-answers.ts), written into the header (a large report's writer does).
 */
export function packReport(report: Report, options: { preview?: ReportPreview; answers?: ReportAnswers } = {}): Uint8Array {
  const columns: ColumnInfo[] = [];
  const chunks: ArrayBufferView[] = [];
  const decoded: (ArrayLike<number> | undefined)[] = [];
  let size = 0;
  const add = (values: unknown, baseOf?: number): unknown => {
    const enc = encodeColumn(values, baseOf === undefined ? undefined : decoded[baseOf], baseOf, baseOf === undefined ? 0 : columns[baseOf].scale);
    if (!enc) return values;
    enc.info.offset = size;
    size += Math.ceil(enc.bytes.byteLength / 8) * 8;
    columns.push(enc.info);
    chunks.push(enc.bytes);
    decoded.push(values as number[]);
    return { $column: columns.length - 1 } satisfies ColumnRef;
  };
  const skeleton: Record<string, unknown> = { ...report };
  const spans = report.spans as unknown as Record<string, unknown> | undefined;
  if (spans && typeof spans === 'object') {
    const s: Record<string, unknown> = { ...spans };
    const startRef = add(spans.start) as ColumnRef | unknown;
    const startIndex = (startRef as ColumnRef)?.$column;
    for (const name of SPAN_COLUMNS) {
      if (name === 'start') { s.start = startRef; continue; }
      s[name] = add(spans[name], (name === 'end' || name === 'enqueue') ? startIndex : undefined);
    }
    // Format 2's optional flags column (SPAN_* bits), packed like the others when present.
    if (spans.flags !== undefined) s.flags = add(spans.flags);
    skeleton.spans = s;
  }
  const waits = report.waits as unknown as Record<string, unknown> | undefined;
  if (waits && typeof waits === 'object') {
    const w: Record<string, unknown> = { ...waits };
    const startRef = add(waits.start) as ColumnRef | unknown;
    w.start = startRef;
    w.thread = add(waits.thread);
    w.end = add(waits.end, (startRef as ColumnRef)?.$column);
    skeleton.waits = w;
  }
  if (Array.isArray(report.profiles)) {
    skeleton.profiles = report.profiles.map((tp) => {
      if (!tp?.profile || typeof tp.profile !== 'object') return tp;
      return { ...tp, profile: { ...tp.profile, samples: add(tp.profile.samples), timeDeltas: add(tp.profile.timeDeltas) } };
    });
  }
  const preview: HeaderPreview | undefined = options.preview && {
    endUs: options.preview.endUs,
    lanes: options.preview.lanes.map((l) => ({ thread: l.thread, tasks: l.tasks, busy: toBase64(l.busy) })),
  };
  const { answers } = options;
  const header = new TextEncoder().encode(JSON.stringify({ report: skeleton, columns, ...(preview ? { preview } : {}), ...(answers ? { answers } : {}) }));
  const start = dataStart(header.length);
  const blob = new Uint8Array(start + size);
  const view = new DataView(blob.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, header.length, true);
  blob.set(header, 8);
  blob.fill(0x20, 8 + header.length, start);
  columns.forEach((c, k) => {
    const b = chunks[k];
    blob.set(new Uint8Array(b.buffer, b.byteOffset, b.byteLength), start + c.offset);
  });
  return blob;
}

/** Columns start at the first multiple of 8 after the header, so typed views on them are aligned. */
function dataStart(headerLength: number): number {
  return Math.ceil((8 + headerLength) / 8) * 8;
}

/** True when bytes start like a packed report blob. */
export function isPackedReport(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && new DataView(bytes.buffer, bytes.byteOffset, 8).getUint32(0, true) === MAGIC;
}

/**
 * A span column left as it is stored (unpackReport's `lazy`): its own copy of the stored bytes,
 * decoded on first read once decodeOnRead has put a getter in its place. Ten million spans' task
 * indexes, chunk starts, item counts, parents and submit times are ~190 MB decoded and seconds to
 * decode, and the first screen needs none of them (tooltips and the task tables read them).
 */
export interface EncodedColumn {
  $encoded: ColumnInfo;
  bytes: Uint8Array;
  /** The span column its values are stored relative to (mode 'base': the starts). */
  base?: string;
}

/** Span columns a view can do without until a task is pointed at or listed. */
export const LAZY_SPAN_COLUMNS: readonly string[] = ['index', 'first', 'items', 'parent', 'enqueue'];

export function isEncodedColumn(x: unknown): x is EncodedColumn {
  return !!x && typeof x === 'object' && '$encoded' in x;
}

/**
 * Puts a getter in place of each EncodedColumn of `spans` (after a postMessage: getters do not
 * survive it) that decodes the column on first read and then leaves the array itself there.
 */
export function decodeOnRead(spans: Record<string, unknown>): void {
  for (const key of Object.keys(spans)) {
    const enc = spans[key];
    if (!isEncodedColumn(enc)) continue;
    Object.defineProperty(spans, key, {
      configurable: true, enumerable: true,
      get() {
        const value = decodeEncoded(enc, spans, `spans.${key}`);
        Object.defineProperty(spans, key, { value, configurable: true, enumerable: true, writable: true });
        return value;
      },
    });
  }
}

function decodeEncoded(enc: EncodedColumn, spans: Record<string, unknown>, field: string): Float64Array | Int32Array | Int16Array | Int8Array {
  const info = { ...enc.$encoded, offset: 0 };
  const bases = new Map<number, ArrayLike<number>>();
  if (info.mode === 'base') {
    // The encoder stored value×scale − round(base×scale) from the base column's own values,
    // which the decoded base column holds exactly (packReport's exactScale).
    const base = spans[enc.base ?? ''] as ArrayLike<number> | undefined;
    if (!base || isEncodedColumn(base)) throw new ReportError(`packed report: ${field}: its base column spans.${enc.base} is missing`);
    bases.set(0, base);
    info.base = 0;
  }
  return narrowest(decodeColumn(enc.bytes, 0, info, bases, -1, field));
}

/**
 * The report of a packed blob, its columns as typed arrays (Float64Array; integers in the
 * narrowest of Int8Array, Int16Array, Int32Array that holds them), not validated (pass it to
 * validateReport). A blob that is not a packed report, or whose header or columns are broken, is
 * a ReportError naming the field (`packed report: spans.start: ...`). `checkHeader` sees the
 * header's JSON text before it is parsed (the loader checks its nesting depth). `lazy`: span
 * columns to leave encoded (EncodedColumn; a report that was validated already: validateReport
 * reads every value).
 */
export function unpackReport(bytes: Uint8Array, checkHeader?: (json: string) => void, lazy: readonly string[] = []): Report {
  // Typed views need aligned offsets: copy once if the blob itself is not 8-aligned.
  if (bytes.byteOffset % 8 !== 0) bytes = bytes.slice();
  const unpacker = new PackedUnpacker(bytes, checkHeader, lazy);
  return unpacker.finish(bytes);
}

/**
 * Unpacks a packed blob column by column while its bytes arrive (a large file inflated part by
 * part: each column is decoded as soon as its bytes are in, overlapping the transfer), or all at
 * once (unpackReport). Made from the blob's first `headerBytes(...)` bytes; `size` is then how
 * long the blob must be to hold every column. Columns are decoded in the header's order (a
 * column stored relative to another needs that one first); the report is only whole at finish().
 */
export class PackedUnpacker {
  /** Bytes the blob needs to hold every column: the data's start plus the furthest column's end. */
  readonly size: number;
  private readonly report: Record<string, unknown>;
  /** The header's `preview` as written (HeaderPreview when well formed; read it with headerPreview in report-preview.ts). */
  readonly preview: unknown;
  /** The header's `answers` as written (read them with headerAnswers in report-answers.ts). */
  readonly answers: unknown;
  private readonly fields = new Map<unknown, string>();
  private readonly refs: [Record<string, unknown>, string, string][] = [];
  private readonly infos: ColumnInfo[];
  private readonly out: (Float64Array | Int32Array | Int16Array | Int8Array | EncodedColumn)[] = [];
  private readonly start: number;
  /** The decoded values of columns others are stored relative to (span starts), by index (decodeColumn `bases`). */
  private readonly ints = new Map<number, ArrayLike<number>>();

  /**
   * Bytes needed before the header can be read: 8 while the header's length is not known, then
   * 8 + its length (undefined: not a packed report).
   */
  static headerBytes(first: Uint8Array): number | undefined {
    if (first.length < 8) return 8;
    if (!isPackedReport(first)) return undefined;
    return 8 + new DataView(first.buffer, first.byteOffset, 8).getUint32(4, true);
  }

  /** `bytes`: the blob's start, at least headerBytes() long (8-aligned: columns are viewed in place). */
  constructor(bytes: Uint8Array, checkHeader?: (json: string) => void, private readonly lazy: readonly string[] = []) {
    if (!isPackedReport(bytes)) throw new ReportError('not a packed Parallel Profiler report (no PPC1 header)');
    const length = new DataView(bytes.buffer, bytes.byteOffset, 8).getUint32(4, true);
    if (8 + length > bytes.length) throw new ReportError(`packed report: header of ${length} bytes overruns the ${bytes.length}-byte blob`);
    let headerText: string;
    try {
      headerText = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + length));
    } catch {
      throw new ReportError('packed report: header is not UTF-8 text');
    }
    checkHeader?.(headerText);
    let header: unknown;
    try {
      header = JSON.parse(headerText);
    } catch (e) {
      throw new ReportError(`packed report: header is not valid JSON: ${(e as Error).message}`);
    }
    const { report, columns, preview, answers } = (header && typeof header === 'object' ? header : {}) as { report?: unknown; columns?: unknown; preview?: unknown; answers?: unknown };
    this.preview = preview;
    this.answers = answers;
    if (!Array.isArray(columns)) throw new ReportError('packed report: header.columns: expected an array');
    if (!report || typeof report !== 'object' || Array.isArray(report)) throw new ReportError('packed report: header.report: expected an object');
    const skeleton = this.report = report as Record<string, unknown>;
    // Where each column is used, so that a broken column is named by its field.
    const refer = (owner: unknown, key: string, path: string): void => {
      if (owner && typeof owner === 'object') this.refs.push([owner as Record<string, unknown>, key, path]);
    };
    const spans = skeleton.spans;
    for (const name of SPAN_COLUMNS) refer(spans, name, `spans.${name}`);
    refer(spans, 'flags', 'spans.flags');
    for (const name of WAIT_COLUMNS) refer(skeleton.waits, name, `waits.${name}`);
    if (Array.isArray(skeleton.profiles)) {
      skeleton.profiles.forEach((tp: unknown, k) => {
        const profile = tp && typeof tp === 'object' ? (tp as { profile?: unknown }).profile : undefined;
        refer(profile, 'samples', `profiles[${k}].profile.samples`);
        refer(profile, 'timeDeltas', `profiles[${k}].profile.timeDeltas`);
      });
    }
    for (const [owner, key, path] of this.refs) {
      const x = owner[key];
      if (!x || typeof x !== 'object' || !('$column' in x)) continue;
      const k = (x as ColumnRef).$column;
      if (!Number.isInteger(k) || k < 0 || k >= columns.length) {
        throw new ReportError(`packed report: ${path}: refers to column ${JSON.stringify(k)}, the blob has ${columns.length}`);
      }
      if (!this.fields.has(k)) this.fields.set(k, path);
    }
    this.infos = columns.map((c: unknown, k) => columnInfo(c, this.name(k)));
    this.start = dataStart(length);
    let size = this.start;
    for (const c of this.infos) size = Math.max(size, this.start + c.offset + c.length * WIDTH[c.storage]);
    this.size = size;
    for (const c of this.infos) if (c.mode === 'base' && c.base !== undefined) this.ints.set(c.base, new Float64Array(0));
  }

  /** The report's skeleton from the header (threads, regions...; its columns are `{ $column }` until finish()). */
  get skeleton(): Readonly<Record<string, unknown>> {
    return this.report;
  }

  /**
   * Decodes the columns whose bytes lie within the first `available` bytes of `bytes` (the blob
   * so far, written in place), in order, up to the first that does not yet. Returns how many
   * columns are decoded now.
   */
  decodeAvailable(bytes: Uint8Array, available: number): number {
    while (this.out.length < this.infos.length) {
      const c = this.infos[this.out.length];
      if (this.start + c.offset + c.length * WIDTH[c.storage] > available) break;
      this.decodeNext(bytes.subarray(0, available));
    }
    return this.out.length;
  }

  /** The decoded column a `{ $column }` reference of the skeleton stands for, if decoded yet (an encoded lazy one is not). */
  decoded(ref: unknown): Float64Array | Int32Array | Int16Array | Int8Array | undefined {
    if (!ref || typeof ref !== 'object' || !('$column' in ref)) return undefined;
    const x = this.out[(ref as ColumnRef).$column];
    return x && !isEncodedColumn(x) ? x : undefined;
  }

  /** The report, once `bytes` is the whole blob: the columns not decoded yet are decoded now. */
  finish(bytes: Uint8Array): Report {
    while (this.out.length < this.infos.length) this.decodeNext(bytes);
    for (const [owner, key] of this.refs) {
      const x = owner[key];
      if (x && typeof x === 'object' && '$column' in x) owner[key] = this.out[(x as ColumnRef).$column];
    }
    return this.report as unknown as Report;
  }

  private name(k: number): string {
    return this.fields.get(k) ?? `columns[${k}]`;
  }

  /** A span field's name for column k, if a span column uses it. */
  private spanField(k: number): string | undefined {
    const f = this.fields.get(k);
    return f?.startsWith('spans.') ? f.slice(6) : undefined;
  }

  /**
   * Columns left encoded: a lazy span field's own column, not a base of others; a base column of
   * its own only when that is a span column decoded now (its name is how it is found later).
   */
  private leaveEncoded(k: number): boolean {
    const f = this.spanField(k);
    if (f === undefined || !this.lazy.includes(f) || this.ints.has(k)) return false;
    const c = this.infos[k];
    if (c.mode !== 'base') return true;
    const b = c.base === undefined ? undefined : this.spanField(c.base);
    return b !== undefined && !this.lazy.includes(b);
  }

  /**
   * Where each column's bytes lie in the blob, [from, to), in decoding order; undefined unless they
   * come one after another without overlapping (as packReport writes them), which decodeColumnBytes needs.
   */
  columnRanges(): [number, number][] | undefined {
    const ranges = this.infos.map((c): [number, number] => [this.start + c.offset, this.start + c.offset + c.length * WIDTH[c.storage]]);
    return ranges.every(([from], k) => k === 0 || from >= ranges[k - 1][1]) ? ranges : undefined;
  }

  /** Whether the next column keeps its own bytes once decoded (a lazy column's): else they may be reused for the column after. */
  keepsNextColumnBytes(): boolean {
    return this.leaveEncoded(this.out.length);
  }

  /** Decodes the next column from its own bytes (columnRanges: exactly its range of the blob). */
  decodeColumnBytes(own: Uint8Array): void {
    const c = this.infos[this.out.length];
    this.decodeNext(own, -c.offset);
  }

  /** The error finish() gives for a blob of `length` bytes that ends inside the next column not decoded yet. */
  cutShort(length: number): ReportError {
    const k = this.out.length;
    const c = this.infos[k];
    return new ReportError(`packed report: ${this.name(k)}: column at ${c.offset} (${c.length} × ${c.storage}) lies outside the ${length}-byte blob`);
  }

  /** `start`: where the column data starts in `bytes` (the blob's own; -offset for a column's own bytes). */
  private decodeNext(bytes: Uint8Array, start = this.start): void {
    const k = this.out.length;
    const c = this.infos[k];
    const { ints } = this;
    // Integer columns in the narrowest array that holds them (a 10M-span report's ids, counts and
    // flags take 10 MB each instead of 40: 210 MB less for as long as the report is open).
    if (!this.leaveEncoded(k)) {
      this.out.push(narrowest(decodeColumn(bytes, start, c, ints, ints.has(k) ? k : -1, this.name(k))));
      return;
    }
    const size = c.length * WIDTH[c.storage];
    if (start + c.offset + size > bytes.length) throw this.cutShort(bytes.length);
    // A column's own bytes are kept as they are; a part of the blob is copied (the blob is let go).
    const own = start + c.offset === 0 && size === bytes.length;
    this.out.push({ $encoded: c, bytes: own ? bytes : bytes.slice(start + c.offset, start + c.offset + size), base: c.mode === 'base' ? this.spanField(c.base!) : undefined });
  }
}

/** A column's description from the header, checked field by field. */
function columnInfo(x: unknown, field: string): ColumnInfo {
  const bad = (what: string): never => { throw new ReportError(`packed report: ${field}: ${what}`); };
  if (!x || typeof x !== 'object' || Array.isArray(x)) bad('its column description is not an object');
  const c = x as Record<string, unknown>;
  if (typeof c.storage !== 'string' || !Object.hasOwn(WIDTH, c.storage)) bad(`unknown storage ${JSON.stringify(c.storage)}`);
  if (!Number.isSafeInteger(c.length) || (c.length as number) < 0) bad(`length must be an integer ≥ 0, found ${JSON.stringify(c.length)}`);
  if (!Number.isSafeInteger(c.offset) || (c.offset as number) < 0 || (c.offset as number) % 8 !== 0) bad(`offset must be a multiple of 8, found ${JSON.stringify(c.offset)}`);
  if (c.mode !== 'raw' && c.mode !== 'delta' && c.mode !== 'base') bad(`unknown mode ${JSON.stringify(c.mode)}`);
  if (c.mode === 'base' && !Number.isInteger(c.base)) bad(`mode 'base' needs the index of its base column, found ${JSON.stringify(c.base)}`);
  if (typeof c.scale !== 'number' || !Number.isFinite(c.scale) || c.scale < 0) bad(`scale must be a number ≥ 0, found ${JSON.stringify(c.scale)}`);
  if (c.out !== 'i32' && c.out !== 'f64') bad(`unknown output type ${JSON.stringify(c.out)}`);
  return c as unknown as ColumnInfo;
}

/** The report with typed-array columns replaced by plain arrays (JSON.stringify writes typed arrays as objects). */
export function withPlainColumns(report: Report): Report {
  const plain = (x: unknown) => (ArrayBuffer.isView(x) ? Array.from(x as unknown as ArrayLike<number>) : x);
  const spans: Record<string, unknown> = { ...report.spans };
  for (const name of SPAN_COLUMNS) if (name in spans) spans[name] = plain(spans[name]);
  if (spans.flags !== undefined) spans.flags = plain(spans.flags);
  return {
    ...report,
    spans: spans as unknown as Report['spans'],
    ...(report.waits ? { waits: { ...report.waits, thread: plain(report.waits.thread) as number[], start: plain(report.waits.start) as number[], end: plain(report.waits.end) as number[] } } : {}),
    profiles: report.profiles.map((tp) => ({ ...tp, profile: { ...tp.profile, samples: plain(tp.profile.samples) as number[], timeDeltas: plain(tp.profile.timeDeltas) as number[] } })),
  };
}

/**
 * A shallow copy of a (validated) report whose span columns, wait columns and profile samples/time
 * deltas are typed arrays (the narrowest of Int8Array, Int16Array, Int32Array that holds every value
 * when all are 32-bit integers, else Float64Array), for postMessage. Columns already typed keep
 * their type (an Int32Array is narrowed when its values allow).
 *
 * Every column is a view into one ArrayBuffer, and nothing else is in it. VS Code's webview
 * messages carry the whole ArrayBuffer under each typed array (extHostWebviewMessaging.ts
 * `serializeWebviewMessage`), and the report reader's columns reach the host as views into its
 * whole IPC message, plus a copy of each column the message left misaligned (Node's deserializer):
 * the 41 MB of columns of the benchmark's 1M-span report went on as 68 MB in 17 buffers. Copying
 * them into one costs the host ~140 ms on the 2-core VM it was measured on (fresh memory).
 */
export function typedColumns(report: Report): Report {
  type Ctor = Float64ArrayConstructor | Float32ArrayConstructor | Int32ArrayConstructor | Int16ArrayConstructor | Int8ArrayConstructor
    | Uint32ArrayConstructor | Uint16ArrayConstructor | Uint8ArrayConstructor | Uint8ClampedArrayConstructor;
  const planned: { values: ArrayLike<number>; ctor: Ctor; offset: number; set: (view: ArrayLike<number>) => void }[] = [];
  let bytes = 0;
  const plan = (values: ArrayLike<number> | undefined, set: (view: ArrayLike<number>) => void): void => {
    if (values === undefined || values === null) return;
    const ctor = columnType(values);
    bytes = Math.ceil(bytes / 8) * 8; // each view aligned for its type (8 covers them all)
    planned.push({ values, ctor, offset: bytes, set });
    bytes += values.length * ctor.BYTES_PER_ELEMENT;
  };
  const spans: Record<string, unknown> = { ...report.spans };
  const spanIn = report.spans as unknown as Record<string, ArrayLike<number> | undefined>;
  for (const name of [...SPAN_COLUMNS, 'flags']) plan(spanIn[name], (v) => { spans[name] = v; });
  const waits = report.waits ? { ...report.waits } : undefined;
  if (waits) for (const name of WAIT_COLUMNS) plan(waits[name], (v) => { waits[name] = v as number[]; });
  const profiles = report.profiles.map((tp) => {
    const profile = { ...tp.profile };
    plan(profile.samples, (v) => { profile.samples = v as number[]; });
    plan(profile.timeDeltas, (v) => { profile.timeDeltas = v as number[]; });
    return { ...tp, profile };
  });
  const buffer = new ArrayBuffer(bytes);
  for (const p of planned) {
    const view = new p.ctor(buffer, p.offset, p.values.length);
    view.set(p.values);
    p.set(view);
  }
  return { ...report, spans: spans as unknown as Report['spans'], ...(waits ? { waits } : {}), profiles };
}

/** The scale a column's values are exact at (1: integers, 1000: whole ns of µs), 0 for neither: what packReport stores it at. */
function scaleOf(a: ArrayLike<number>): number {
  return exactScale(a, 1) ? 1 : exactScale(a, 1000) ? 1000 : 0;
}

/** The typed array type a column is posted as: its own when typed (an Int32Array narrowed when it can be), else the narrowest integer type that holds it, else Float64Array. */
function columnType(a: ArrayLike<number>): Float64ArrayConstructor | Int32ArrayConstructor | Int16ArrayConstructor | Int8ArrayConstructor | Float32ArrayConstructor | Uint32ArrayConstructor | Uint16ArrayConstructor | Uint8ArrayConstructor | Uint8ClampedArrayConstructor {
  if (ArrayBuffer.isView(a) && !(a instanceof Int32Array)) {
    const c = (a as unknown as { constructor: unknown }).constructor;
    if (c === Float64Array || c === Float32Array || c === Int16Array || c === Int8Array || c === Uint32Array || c === Uint16Array || c === Uint8Array || c === Uint8ClampedArray) return c as Float64ArrayConstructor;
    return Float64Array;
  }
  let lo = 0, hi = 0;
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    if ((v | 0) !== v || (v === 0 && 1 / v < 0)) return Float64Array;
    if (v < lo) lo = v;
    else if (v > hi) hi = v;
  }
  if (lo >= -0x80 && hi <= 0x7f) return Int8Array;
  if (lo >= -0x8000 && hi <= 0x7fff) return Int16Array;
  return Int32Array;
}

const LIMITS: [Storage, number][] = [['i8', 0x7f], ['i16', 0x7fff], ['i24', 0x7fffff], ['i32', 0x7fffffff]];

function storageFor(maxAbs: number): Storage {
  for (const [s, limit] of LIMITS) if (maxAbs <= limit) return s;
  return 'f64';
}

/**
 * Encodes a column of numbers exactly: as integers (scale 1) or ns-rounded µs (scale 1000) when
 * every value is, else as raw doubles; raw, delta or minus-base, whichever needs the narrowest
 * integers. Undefined (left in the JSON) when `values` is not an array of numbers.
 */
function encodeColumn(values: unknown, base: ArrayLike<number> | undefined, baseIndex: number | undefined, baseScale: number): { info: ColumnInfo; bytes: ArrayBufferView } | undefined {
  if (!Array.isArray(values) && !(ArrayBuffer.isView(values) && !(values instanceof DataView) && !(values instanceof BigInt64Array) && !(values instanceof BigUint64Array))) return undefined;
  const a = values as ArrayLike<number>;
  const n = a.length;
  for (let i = 0; i < n; i++) if (typeof a[i] !== 'number') return undefined;
  const scale = scaleOf(a);
  if (scale === 0) {
    return { info: { offset: 0, length: n, storage: 'f64', mode: 'raw', scale: 0, out: 'f64' }, bytes: shuffle(new Uint8Array(Float64Array.from(a).buffer), 8) };
  }
  const ints = new Float64Array(n);
  for (let i = 0; i < n; i++) ints[i] = Math.round(a[i] * scale) || 0; // || 0: -0 is stored as 0
  // Each mode's cost is its total of significant bits (what gzip mostly pays for); its width is
  // set by its largest value. A few large deltas (a region boundary) do not rule delta out.
  const modes = { raw: new Cost(), delta: new Cost(), base: new Cost() };
  // The decoder adds the base column's own stored integers: only valid at the same scale.
  const withBase = !!base && base.length === n && baseScale === scale;
  for (let i = 0; i < n; i++) {
    modes.raw.add(ints[i]);
    modes.delta.add(ints[i] - (i ? ints[i - 1] : 0));
    if (withBase) modes.base.add(ints[i] - Math.round(base![i] * scale));
  }
  const out = scale === 1 && modes.raw.max <= 0x7fffffff ? 'i32' : 'f64';
  let mode: ColumnInfo['mode'] = modes.delta.bits < modes.raw.bits ? 'delta' : 'raw';
  if (withBase && modes.base.bits < modes[mode].bits) mode = 'base';
  const storage = storageFor(modes[mode].max);
  const stored = storage === 'f64' ? new Float64Array(n) : new Int32Array(n);
  for (let i = 0; i < n; i++) {
    stored[i] = mode === 'raw' ? ints[i] : mode === 'delta' ? ints[i] - (i ? ints[i - 1] : 0) : ints[i] - Math.round(base![i] * scale);
  }
  const info: ColumnInfo = { offset: 0, length: n, storage, mode, base: mode === 'base' ? baseIndex : undefined, scale, out };
  if (storage === 'i8') return { info, bytes: Int8Array.from(stored) };
  if (storage === 'f64') return { info, bytes: shuffle(new Uint8Array(stored.buffer), 8) };
  // Byte planes of the low `width` bytes of each (little-endian) int32.
  const width = WIDTH[storage];
  const planes = new Uint8Array(n * width);
  for (let b = 0; b < width; b++) {
    const plane = b * n;
    const shift = 8 * b;
    for (let i = 0; i < n; i++) planes[plane + i] = stored[i] >> shift;
  }
  return { info, bytes: planes };
}

/** Running size estimate of a column of integers: total significant bits and largest magnitude. */
class Cost {
  bits = 0;
  max = 0;
  add(v: number): void {
    const a = Math.abs(v);
    if (a > this.max) this.max = a;
    this.bits += a < 0x80000000 ? 33 - Math.clz32(a) : 54;
  }
}

/**
 * Byte planes: all first bytes, then all second bytes... Neighbouring values share their high
 * bytes, so planes compress far better (about 20% on µs times, 100× on counters).
 */
function shuffle(bytes: Uint8Array, width: number): Uint8Array {
  const n = bytes.length / width;
  const out = new Uint8Array(bytes.length);
  for (let b = 0; b < width; b++) {
    const plane = b * n;
    for (let i = 0; i < n; i++) out[plane + i] = bytes[i * width + b];
  }
  return out;
}

/** Times (running sum / scale) from integer deltas, in place. */
function timesFromDeltas(deltas: Float64Array, scale: number): Float64Array {
  const n = deltas.length;
  let acc = 0;
  for (let i = 0; i < n; i++) deltas[i] = (acc += deltas[i]) / scale;
  return deltas;
}

/**
 * Times stored relative to a base column's integers: the encoder stored value×scale −
 * round(base×scale); base ints are exact, so this is exact. Read straight from the stored
 * integers' byte planes (no Int32Array between: see integersFromDeltas8 on fresh memory).
 */
function timesFromBase(bytes: Uint8Array, at: number, n: number, width: number, base: ArrayLike<number>, scale: number): Float64Array {
  const out = new Float64Array(n);
  const p0 = bytes.subarray(at, at + n), p1 = bytes.subarray(at + n, at + 2 * n);
  if (width === 2) {
    for (let i = 0; i < n; i++) out[i] = (Math.round(base[i] * scale) + (((p0[i] | (p1[i] << 8)) << 16) >> 16)) / scale;
  } else if (width === 3) {
    const p2 = bytes.subarray(at + 2 * n, at + 3 * n);
    for (let i = 0; i < n; i++) out[i] = (Math.round(base[i] * scale) + (((p0[i] | (p1[i] << 8) | (p2[i] << 16)) << 8) >> 8)) / scale;
  } else {
    const p2 = bytes.subarray(at + 2 * n, at + 3 * n), p3 = bytes.subarray(at + 3 * n, at + 4 * n);
    for (let i = 0; i < n; i++) out[i] = (Math.round(base[i] * scale) + (p0[i] | (p1[i] << 8) | (p2[i] << 16) | (p3[i] << 24))) / scale;
  }
  return out;
}

/** Times (running sum / scale) from doubles stored as 8 byte planes (shuffle), each delta put together in a one-double scratch. */
function timesFromDeltaPlanes(bytes: Uint8Array, at: number, n: number, scale: number): Float64Array {
  const out = new Float64Array(n);
  const one = new Float64Array(1);
  const words = new Uint32Array(one.buffer);
  const p = (b: number) => bytes.subarray(at + b * n, at + (b + 1) * n);
  const p0 = p(0), p1 = p(1), p2 = p(2), p3 = p(3), p4 = p(4), p5 = p(5), p6 = p(6), p7 = p(7);
  let acc = 0;
  for (let i = 0; i < n; i++) {
    words[0] = p0[i] | (p1[i] << 8) | (p2[i] << 16) | (p3[i] << 24);
    words[1] = p4[i] | (p5[i] << 8) | (p6[i] << 16) | (p7[i] << 24);
    acc += one[0];
    out[i] = acc / scale;
  }
  return out;
}

/** Doubles from their 8 byte planes (shuffle), four bytes at a time. */
function doublesFromPlanes(bytes: Uint8Array, at: number, n: number): Float64Array {
  const out = new Float64Array(n);
  const words = new Uint32Array(out.buffer);
  const p = (b: number) => bytes.subarray(at + b * n, at + (b + 1) * n);
  const p0 = p(0), p1 = p(1), p2 = p(2), p3 = p(3), p4 = p(4), p5 = p(5), p6 = p(6), p7 = p(7);
  // Little-endian: the low word of each double holds its first four bytes.
  for (let i = 0; i < n; i++) {
    words[2 * i] = p0[i] | (p1[i] << 8) | (p2[i] << 16) | (p3[i] << 24);
    words[2 * i + 1] = p4[i] | (p5[i] << 8) | (p6[i] << 16) | (p7[i] << 24);
  }
  return out;
}

/**
 * The running sums of one-byte deltas, in the narrowest integer array that holds them: their range
 * first, then the sums straight into that array. Memory touched for the first time is the cost that
 * counts at ten million values (a page fault per 4 KiB: 13 µs each on the 2-core test machine, so
 * 270 ms for a fresh 80 MB array against 11 ms to write it again); a 40 MB Int32Array between
 * cost more than both loops.
 */
function integersFromDeltas8(deltas: Int8Array): Int32Array | Int16Array | Int8Array {
  const n = deltas.length;
  let acc = 0, lo = 0, hi = 0;
  for (let i = 0; i < n; i++) {
    acc = (acc + deltas[i]) | 0;
    if (acc < lo) lo = acc;
    else if (acc > hi) hi = acc;
  }
  const out = lo >= -0x80 && hi <= 0x7f ? new Int8Array(n) : lo >= -0x8000 && hi <= 0x7fff ? new Int16Array(n) : new Int32Array(n);
  acc = 0;
  for (let i = 0; i < n; i++) out[i] = acc = (acc + deltas[i]) | 0;
  return out;
}

/** The running sums of `deltas`, in place (wrapping as Int32Array stores do). */
function integersFromDeltas32(deltas: Int32Array): Int32Array {
  let acc = 0;
  for (let i = 0; i < deltas.length; i++) deltas[i] = acc = (acc + deltas[i]) | 0;
  return deltas;
}

/** Int32 values from `width` byte planes (least significant first), sign-extended. */
function fromPlanes(bytes: Uint8Array, at: number, n: number, width: number): Int32Array {
  const out = new Int32Array(n);
  const p0 = bytes.subarray(at, at + n), p1 = bytes.subarray(at + n, at + 2 * n);
  if (width === 2) {
    for (let i = 0; i < n; i++) out[i] = ((p0[i] | (p1[i] << 8)) << 16) >> 16;
  } else if (width === 3) {
    const p2 = bytes.subarray(at + 2 * n, at + 3 * n);
    for (let i = 0; i < n; i++) out[i] = ((p0[i] | (p1[i] << 8) | (p2[i] << 16)) << 8) >> 8;
  } else {
    const p2 = bytes.subarray(at + 2 * n, at + 3 * n), p3 = bytes.subarray(at + 3 * n, at + 4 * n);
    for (let i = 0; i < n; i++) out[i] = p0[i] | (p1[i] << 8) | (p2[i] << 16) | (p3[i] << 24);
  }
  return out;
}

/** True when every value is an integer count of 1/scale that reads back as the same double. */
function exactScale(a: ArrayLike<number>, scale: number): boolean {
  for (let i = 0; i < a.length; i++) {
    const m = Math.round(a[i] * scale);
    if (!Number.isSafeInteger(m) || m / scale !== a[i] && !(m === 0 && a[i] === 0)) return false;
  }
  return true;
}

/**
 * The values as an Int32Array when every one is a 32-bit integer (-0 is not: it would read back
 * as 0), else undefined; an Int32Array is itself.
 */
export function int32IfIntegers(a: ArrayLike<number>): Int32Array | undefined {
  if (a instanceof Int32Array) return a;
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    if ((v | 0) !== v || (v === 0 && 1 / v < 0)) return undefined;
  }
  return Int32Array.from(a);
}

/**
 * An Int32Array as an Int8Array or Int16Array when every value fits; other columns as they are.
 * The one narrowing of integer columns: the packed loader's, the views' (narrowColumns), the
 * host's typed init (typedColumns) and the runner's span columns (report-build-spans.ts).
 */
export function narrowest<T extends ArrayLike<number>>(a: T): T | Int16Array | Int8Array {
  if (!(a instanceof Int32Array)) return a;
  let lo = 0, hi = 0;
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    if (v < lo) lo = v;
    else if (v > hi) hi = v;
  }
  if (lo >= -0x80 && hi <= 0x7f) return Int8Array.from(a);
  if (lo >= -0x8000 && hi <= 0x7fff) return Int16Array.from(a);
  return a;
}

/** One column's values (its description checked by columnInfo); `field` names it in errors. */
/**
 * `bases`: the decoded values of the columns others are stored relative to, by index; `keep` ≥ 0:
 * this column is one, put there once decoded. A column stored relative to one reads
 * round(base value × its scale) from it, exactly what the encoder subtracted (packReport): the
 * base values are exact (exactScale), so no array of the base's stored integers is kept (80 MB and
 * ~0.3 s of fresh memory at ten million spans).
 */
function decodeColumn(bytes: Uint8Array, start: number, c: ColumnInfo, bases: Map<number, ArrayLike<number>>, keep: number, field: string): Float64Array | Int32Array | Int16Array | Int8Array {
  const out = decodeValues(bytes, start, c, bases, field);
  if (keep >= 0) bases.set(keep, out);
  return out;
}

function decodeValues(bytes: Uint8Array, start: number, c: ColumnInfo, bases: Map<number, ArrayLike<number>>, field: string): Float64Array | Int32Array | Int16Array | Int8Array {
  const width = WIDTH[c.storage];
  if (start + c.offset + c.length * width > bytes.length) {
    throw new ReportError(`packed report: ${field}: column at ${c.offset} (${c.length} × ${c.storage}) lies outside the ${bytes.length}-byte blob`);
  }
  const n = c.length;
  const at = start + c.offset;
  const scale = c.scale;
  if (c.out === 'i32' && scale === 1 && (c.mode === 'raw' || c.mode === 'delta')) {
    // Ids, counts and indexes (most of a report's columns): loops of one array type each, straight
    // into the narrowest array (a loop shared by every column's types ran at a fraction of the speed).
    if (c.storage === 'i8') {
      const stored = new Int8Array(bytes.buffer, bytes.byteOffset + at, n);
      return c.mode === 'raw' ? Int8Array.from(stored) : integersFromDeltas8(stored);
    }
    if (c.storage !== 'f64') {
      const stored = fromPlanes(bytes, at, n, width);
      return narrowest(c.mode === 'raw' ? stored : integersFromDeltas32(stored));
    }
  }
  if (c.storage === 'f64' && c.out === 'f64' && (scale === 0 || (c.mode === 'raw' && scale <= 1))) {
    // Doubles stored as they are: their byte planes go straight into the output (no copy of the
    // column between; ten million doubles are 80 MB).
    return doublesFromPlanes(bytes, at, n);
  }
  if (c.out === 'f64' && scale > 0 && c.mode === 'base' && c.storage !== 'i8' && c.storage !== 'f64') {
    const base = bases.get(c.base ?? -1);
    if (!base || base.length !== n) throw new ReportError(`packed report: ${field}: its base column ${c.base} is missing, comes after it or has another length`);
    return timesFromBase(bytes, at, n, width, base, scale);
  }
  if (c.storage === 'f64' && c.out === 'f64' && scale > 0 && c.mode === 'delta') {
    // Deltas read from their byte planes straight into the running sums (no 80 MB array of deltas between).
    return timesFromDeltaPlanes(bytes, at, n, scale);
  }
  let src: ArrayLike<number>;
  if (c.storage === 'i8') src = new Int8Array(bytes.buffer, bytes.byteOffset + at, n);
  else if (c.storage === 'f64') src = doublesFromPlanes(bytes, at, n);
  else src = fromPlanes(bytes, at, n, width);
  if (c.out === 'f64' && scale > 0 && c.mode === 'delta') {
    // The deltas are a fresh Float64Array of their own: the running sums overwrite them in place.
    const deltas = src instanceof Float64Array ? src : Float64Array.from(src);
    return timesFromDeltas(deltas, scale);
  }
  const out = c.out === 'i32' ? new Int32Array(n) : new Float64Array(n);
  if (scale === 0 || c.mode === 'raw') {
    if (scale <= 1) out.set(src);
    else for (let i = 0; i < n; i++) out[i] = src[i] / scale;
  } else if (c.mode === 'delta') {
    let acc = 0;
    if (scale === 1) for (let i = 0; i < n; i++) out[i] = acc += src[i];
    else for (let i = 0; i < n; i++) out[i] = (acc += src[i]) / scale;
  } else {
    const base = bases.get(c.base ?? -1);
    if (!base || base.length !== n) throw new ReportError(`packed report: ${field}: its base column ${c.base} is missing, comes after it or has another length`);
    // The encoder stored value×scale − round(base×scale); the base values are exact, so this is exact.
    for (let i = 0; i < n; i++) out[i] = (Math.round(base[i] * scale) + src[i]) / scale;
  }
  return out;
}

/**
 * The typed-array columns of a report in the narrowest integer arrays that hold them (Int8Array,
 * Int16Array; Float64Array and wider Int32Array columns kept), in place: a 10M-span report's
 * thread, region, items, stolen and failed columns take 10 MB each instead of 40. Used by the
 * views after unpackReport, where memory is what limits the size of a report that opens.
 */
export function narrowColumns(report: Report): Report {
  const narrow = (a: unknown): unknown => (a instanceof Int32Array ? narrowest(a) : a);
  const spans = report.spans as unknown as Record<string, unknown>;
  for (const name of SPAN_COLUMNS) spans[name] = narrow(spans[name]);
  if (spans.flags !== undefined) spans.flags = narrow(spans.flags);
  if (report.waits) {
    const waits = report.waits as unknown as Record<string, unknown>;
    for (const name of WAIT_COLUMNS) waits[name] = narrow(waits[name]);
  }
  for (const tp of report.profiles) {
    const p = tp?.profile as unknown as Record<string, unknown> | undefined;
    if (p) { p.samples = narrow(p.samples); p.timeDeltas = narrow(p.timeDeltas); }
  }
  return report;
}

/** The distinct ArrayBuffers under a report's typed-array columns: the transfer list of a postMessage that hands them over. */
export function columnBuffers(report: Report): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  const add = (a: unknown) => {
    if (ArrayBuffer.isView(a) && a.buffer instanceof ArrayBuffer) out.add(a.buffer);
    else if (isEncodedColumn(a) && a.bytes.buffer instanceof ArrayBuffer) out.add(a.bytes.buffer);
  };
  const spans = report.spans as unknown as Record<string, unknown>;
  for (const name of SPAN_COLUMNS) add(spans[name]);
  add(spans.flags);
  if (report.waits) for (const name of WAIT_COLUMNS) add((report.waits as unknown as Record<string, unknown>)[name]);
  for (const tp of report.profiles) { add(tp?.profile?.samples); add(tp?.profile?.timeDeltas); }
  return [...out];
}
