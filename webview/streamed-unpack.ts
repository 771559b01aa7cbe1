// A packed report unpacked while its inflated bytes arrive (the decoder's worker, for a file the
// page fetches): the header as soon as it is in, then each column as soon as its bytes are, and
// the timeline's lane indexes as soon as the span columns they read are decoded, so that most of
// the decoding happens while the file is still on its way. Each column's bytes are gathered in a
// buffer of their own and let go once decoded, so the inflated file (275 MB at ten million spans)
// is never whole in memory, unless `keepBytes` (the worker unpacks it again for the metrics).
// Nothing leaves the worker before the file is checked against what the host's reader validated
// (streamed-file.ts): bytes that turn out not to be that file are only ever decoded into arrays
// that are then dropped.
import type { Report } from '../src/model/report';
import { LAZY_SPAN_COLUMNS, PackedUnpacker } from '../src/model/packed-report';
import { jsonNestingProblem } from '../src/model/validate-values';
import { buildLaneIndexes, laneThreads, type LaneIndex } from './layout-timeline';
import type { InflatedSink } from './streamed-file';

/** The blob unpacked (not yet shape-checked), its bytes when kept (keepBytes) and its lane indexes. */
export interface Unpacked { bytes?: Uint8Array; report: Report; lanes?: LaneIndex[] }

export class UnpackingSink implements InflatedSink<Unpacked> {
  /** The inflated bytes until the header is in. */
  private head: Uint8Array[] = [];
  private headLength = 0;
  private unpacker?: PackedUnpacker;
  /** Whole-blob mode (keepBytes, or columns not one after another): the blob, written in place, as long as its columns need. */
  private blob?: Uint8Array;
  /** Column mode: where each column lies, and the bytes of the one being gathered. */
  private ranges?: [number, number][];
  private gathering?: Uint8Array;
  /** Bytes inflated so far. */
  private length = 0;
  /** Why the bytes cannot be unpacked: said only once the file is known to be the one validated (finish). */
  private failed: unknown;
  private lanes?: LaneIndex[];
  /** Columns decoded so far. */
  private columns = 0;

  /**
   * `decoded`: told the columns decoded so far, and whether the lane indexes are built, each time
   * that grows. `keepBytes`: keep the whole inflated blob (Unpacked.bytes).
   */
  constructor(private readonly decoded: (columns: number, lanes: boolean) => void = () => undefined, private readonly keepBytes = false) {}

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
      this.lanes ??= this.laneIndexes();
      if (this.columns > before || (!hadLanes && this.lanes)) this.decoded(this.columns, this.lanes !== undefined && this.lanes.length > 0);
    } catch (err) {
      this.failed = err;
      this.blob = this.gathering = undefined;
    }
  }

  /** The report, once every inflated byte was pushed. */
  end(): Unpacked {
    if (this.failed === undefined && !this.unpacker) {
      // A blob shorter than its header: unpacking it says why.
      this.readHeader(true);
    }
    if (this.failed !== undefined) throw this.failed;
    const unpacker = this.unpacker!;
    if (this.blob) {
      const bytes = this.blob.subarray(0, Math.min(this.length, this.blob.length));
      return { bytes: this.keepBytes ? bytes : undefined, report: unpacker.finish(bytes), lanes: this.lanes };
    }
    if (this.columns < this.ranges!.length) throw unpacker.cutShort(this.length);
    return { report: unpacker.finish(new Uint8Array(0)), lanes: this.lanes };
  }

  /** Makes the unpacker once the header is in (or, `last`, with what there is); false while it is not. */
  private readHeader(last = false): boolean {
    const joined = join(this.head, this.headLength);
    const need = PackedUnpacker.headerBytes(joined);
    if (need !== undefined && joined.length < need && !last) { this.head = [joined]; return false; }
    const unpacker = new PackedUnpacker(joined, (header) => {
      const deep = jsonNestingProblem(header);
      if (deep) throw new Error(deep);
    }, LAZY_SPAN_COLUMNS);
    this.head = [];
    this.unpacker = unpacker;
    this.ranges = this.keepBytes ? undefined : unpacker.columnRanges();
    if (this.ranges) {
      this.write(joined, 0);
    } else {
      this.blob = new Uint8Array(unpacker.size);
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
      this.gathering ??= new Uint8Array(to - from);
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
   * The lane indexes (buildLaneIndexes over the threads in id order, as the timeline asks for them)
   * once the span columns they read are decoded; undefined before, or when the columns do not have
   * the spans' count (the page then builds them itself, from the checked report).
   */
  private laneIndexes(): LaneIndex[] | undefined {
    const unpacker = this.unpacker!;
    const skeleton = unpacker.skeleton as { spans?: Record<string, unknown>; threads?: unknown };
    const spans = skeleton.spans;
    const count = spans?.count;
    if (!spans || typeof count !== 'number' || !Array.isArray(skeleton.threads)) return undefined;
    const columns = { thread: unpacker.decoded(spans.thread), start: unpacker.decoded(spans.start), end: unpacker.decoded(spans.end), region: unpacker.decoded(spans.region) };
    if (!columns.thread || !columns.start || !columns.end || !columns.region) return undefined;
    if ([columns.thread, columns.start, columns.end, columns.region].some((c) => c.length !== count)) return [];
    const ids = skeleton.threads.map((t: { id?: unknown }) => t?.id);
    if (!ids.every((id) => typeof id === 'number')) return [];
    return buildLaneIndexes({ ...columns, count } as unknown as Report['spans'], laneThreads(ids as number[]));
  }
}

function join(parts: Uint8Array[], length: number): Uint8Array {
  if (parts.length === 1) return parts[0].byteOffset % 8 === 0 ? parts[0] : parts[0].slice();
  const out = new Uint8Array(length);
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}
