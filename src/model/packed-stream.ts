// A packed report (packed-report.ts) unpacked while its inflated bytes arrive: the header as soon
// as it is in, then each column as soon as its bytes are. Each column's bytes are gathered in a
// buffer of their own and let go once decoded, so the inflated blob (263 MB at ten million spans)
// is never whole in memory, unless `keepBytes`. Used by the report reader (a file inflated as a
// stream) and the webview's decoder worker (a file fetched part by part, with its lane indexes).
// Pure: the caller inflates and pushes.
import type { Report } from './report';
import { PackedUnpacker } from './packed-report';

/** The blob unpacked (not yet validated), its bytes when kept (keepBytes) and what `lanes` made of its span columns. */
export interface StreamUnpacked<L> { bytes?: Uint8Array; report: Report; lanes?: L }

/** The span columns the lanes callback reads, decoded, with the report's thread ids. */
export interface LaneColumns {
  count: number;
  thread: ArrayLike<number>;
  start: ArrayLike<number>;
  end: ArrayLike<number>;
  region: ArrayLike<number>;
  threadIds: number[];
}

export interface PackedStreamOptions<L> {
  /** Span columns left encoded until read (packed-report.ts decodeOnRead). */
  lazy?: readonly string[];
  /** Keep the whole inflated blob (StreamUnpacked.bytes). */
  keepBytes?: boolean;
  /** Checks the header's JSON text before it is parsed (throws: why not). */
  checkHeader?: (json: string) => void;
  /**
   * Made of the span columns once they are decoded, while the rest arrives (the timeline's lane
   * indexes); undefined when the skeleton is not shaped for it (the caller builds it from the
   * checked report then).
   */
  lanes?: (columns: LaneColumns) => L | undefined;
  /** Told the columns decoded so far, and whether the lanes are made, each time that grows. */
  decoded?: (columns: number, lanes: boolean) => void;
}

export class PackedStreamUnpacker<L = never> {
  /** The inflated bytes until the header is in. */
  private head: Uint8Array[] = [];
  private headLength = 0;
  private unpacker?: PackedUnpacker;
  /** Whole-blob mode (keepBytes, or columns not one after another): the blob, written in place, as long as its columns need. */
  private blob?: Uint8Array;
  /** Column mode: where each column lies, and the bytes of the one being gathered. */
  private ranges?: [number, number][];
  private gathering?: Uint8Array;
  /** The bytes of the columns that do not keep them, used again from one column to the next. */
  private scratch?: Uint8Array;
  /** Bytes inflated so far. */
  private length = 0;
  /** Why the bytes cannot be unpacked: thrown by end(). */
  private failed: unknown;
  private lanes?: L;
  private lanesTried = false;
  /** Columns decoded so far. */
  private columns = 0;
  /** The largest buffer of inflated bytes held at once (read by tests: a column's, not the blob's, unless keepBytes). */
  largestHeld = 0;

  constructor(private readonly options: PackedStreamOptions<L> = {}) {}

  push(chunk: Uint8Array): void {
    const at = this.length;
    this.length += chunk.length;
    if (this.failed !== undefined) return;
    const before = this.columns;
    try {
      if (!this.unpacker) {
        this.head.push(chunk);
        this.headLength += chunk.length;
        if (!this.readHeader()) return;
      } else {
        this.write(chunk, at);
      }
      if (this.blob) this.columns = this.unpacker!.decodeAvailable(this.blob, Math.min(this.length, this.blob.length));
      const hadLanes = this.lanes !== undefined;
      this.makeLanes();
      if (this.columns > before || (!hadLanes && this.lanes !== undefined)) this.options.decoded?.(this.columns, this.lanes !== undefined);
    } catch (err) {
      this.failed = err;
      this.blob = this.gathering = this.scratch = undefined;
    }
  }

  /** The report, once every inflated byte was pushed (throws: why the bytes cannot be unpacked). */
  end(): StreamUnpacked<L> {
    if (this.failed === undefined && !this.unpacker) {
      // A blob shorter than its header: unpacking it says why.
      this.readHeader(true);
    }
    this.scratch = undefined;
    if (this.failed !== undefined) throw this.failed;
    const unpacker = this.unpacker!;
    if (this.blob) {
      const bytes = this.blob.subarray(0, Math.min(this.length, this.blob.length));
      const report = unpacker.finish(bytes);
      this.blob = undefined;
      return { bytes: this.options.keepBytes ? bytes : undefined, report, lanes: this.lanes };
    }
    if (this.columns < this.ranges!.length) throw unpacker.cutShort(this.length);
    return { report: unpacker.finish(new Uint8Array(0)), lanes: this.lanes };
  }

  private hold(bytes: Uint8Array): Uint8Array {
    this.largestHeld = Math.max(this.largestHeld, bytes.length);
    return bytes;
  }

  /** Makes the unpacker once the header is in (or, `last`, with what there is); false while it is not. */
  private readHeader(last = false): boolean {
    const joined = this.hold(join(this.head, this.headLength));
    const need = PackedUnpacker.headerBytes(joined);
    if (need !== undefined && joined.length < need && !last) { this.head = [joined]; return false; }
    const unpacker = new PackedUnpacker(joined, this.options.checkHeader, this.options.lazy ?? []);
    this.head = [];
    this.unpacker = unpacker;
    this.ranges = this.options.keepBytes ? undefined : unpacker.columnRanges();
    if (this.ranges) {
      this.write(joined, 0);
    } else {
      this.blob = this.hold(new Uint8Array(unpacker.size));
      this.blob.set(joined.subarray(0, unpacker.size));
    }
    return true;
  }

  /** Writes the inflated bytes at `at` of the blob: in place (whole-blob mode), or into each column's own bytes, decoding each once they are all in. */
  private write(chunk: Uint8Array, at: number): void {
    if (this.blob) {
      if (at < this.blob.length) this.blob.set(chunk.subarray(0, this.blob.length - at), at);
      return;
    }
    const ranges = this.ranges!;
    const end = at + chunk.length;
    while (this.columns < ranges.length) {
      const [from, to] = ranges[this.columns];
      if (end <= from) return;
      this.gathering ??= this.columnBuffer(to - from);
      const lo = Math.max(from, at);
      const hi = Math.min(to, end);
      if (hi > lo) this.gathering.set(chunk.subarray(lo - at, hi - at), lo - from);
      if (end < to) return;
      const own = this.gathering;
      this.gathering = undefined;
      this.unpacker!.decodeColumnBytes(own);
      this.columns++;
    }
  }

  /**
   * The bytes the next column is gathered in: a fresh array for a column that keeps them (a lazy
   * one's), else the last column's when it is large enough. Memory written for the first time is
   * what costs (packed-report.ts integersFromDeltas8): at ten million spans the columns' 263 MB
   * touched once each cost ~0.6 s more than one 80 MB buffer used again.
   */
  private columnBuffer(size: number): Uint8Array {
    if (this.unpacker!.keepsNextColumnBytes()) return this.hold(new Uint8Array(size));
    if (!this.scratch || this.scratch.length < size) this.scratch = this.hold(new Uint8Array(size));
    return this.scratch.subarray(0, size);
  }

  /** Makes the lanes (options.lanes) once the span columns they read are decoded. */
  private makeLanes(): void {
    if (this.lanesTried || !this.options.lanes) return;
    const unpacker = this.unpacker!;
    const skeleton = unpacker.skeleton as { spans?: Record<string, unknown>; threads?: unknown };
    const spans = skeleton.spans;
    const count = spans?.count;
    if (!spans || typeof count !== 'number' || !Array.isArray(skeleton.threads)) { this.lanesTried = true; return; }
    const thread = unpacker.decoded(spans.thread), start = unpacker.decoded(spans.start), end = unpacker.decoded(spans.end), region = unpacker.decoded(spans.region);
    if (!thread || !start || !end || !region) return;
    this.lanesTried = true;
    if ([thread, start, end, region].some((c) => c.length !== count)) return;
    const ids = skeleton.threads.map((t: { id?: unknown }) => t?.id);
    if (!ids.every((id) => typeof id === 'number')) return;
    this.lanes = this.options.lanes({ count, thread, start, end, region, threadIds: ids as number[] });
  }
}

function join(parts: Uint8Array[], length: number): Uint8Array {
  if (parts.length === 1) return parts[0].byteOffset % 8 === 0 ? parts[0] : parts[0].slice();
  const out = new Uint8Array(length);
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}
