// A report file arriving in parts (the webview's fetch of `init-packed-url`, relayed part by part
// to the decoder's worker): each part is inflated as it arrives, so inflating overlaps the
// transfer instead of following it, and the inflated bytes go to a sink as they come (the worker's
// unpacks them then: streamed-unpack.ts). The file is checked against the length and SHA-256 the
// host's report reader validated once it is complete; nothing made from it is handed on before that check.
import { MAX_REPORT_BYTES } from '../src/model/limits';

/** How often the worker tells the page how far it has inflated, bytes. */
const PROGRESS_BYTES = 1 << 20;

/** The file the host's reader validated: its length in bytes and its SHA-256 (hex). */
export interface ExpectedFile { bytes: number; sha256: string }

/**
 * Where the inflated bytes go, in order, as they come: by default they are joined into one array
 * (JoinedBytes); the decoder's worker unpacks them as they come instead (streamed-unpack.ts).
 */
export interface InflatedSink<T> {
  push(chunk: Uint8Array): void;
  /** What the whole inflated file makes, once every byte was pushed (throws: why it cannot be read). */
  end(): T;
}

/** The inflated file in one array. */
export class JoinedBytes implements InflatedSink<Uint8Array> {
  private readonly chunks: Uint8Array[] = [];
  private length = 0;
  push(chunk: Uint8Array): void { this.chunks.push(chunk); this.length += chunk.length; }
  end(): Uint8Array {
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const c of this.chunks) { out.set(c, at); at += c.length; }
    return out;
  }
}

/** Thrown when the file fetched is not the one the reader validated: the message is the one line the page shows. */
export class FileChanged extends Error {}

export class StreamedFile<T = Uint8Array> {
  /** The file's own bytes, written in place as parts arrive (its length is known). */
  private file: Uint8Array;
  private received = 0;
  private readonly inflater?: { writer: WritableStreamDefaultWriter<BufferSource>; output: Promise<T> };

  /**
   * `progress`: told the bytes inflated so far while the file is still arriving (every MiB or so).
   * `sink`: where the inflated bytes go as they come (a file not gzip-compressed: its own bytes, at
   * finish()); by default they are joined into one array.
   */
  constructor(private readonly expected: ExpectedFile, gzipped: boolean, private readonly progress: (inflated: number) => void = () => undefined,
    private readonly sink: InflatedSink<T> = new JoinedBytes() as unknown as InflatedSink<T>) {
    this.file = new Uint8Array(expected.bytes);
    if (gzipped) {
      const stream = new DecompressionStream('gzip');
      const writer = stream.writable.getWriter();
      // A corrupt stream rejects the writer too; the output's error is the one reported.
      writer.closed.catch(() => undefined);
      const output = this.collect(stream.readable);
      // Handled in finish(), which may come after it failed.
      output.catch(() => undefined);
      this.inflater = { writer, output };
    }
  }

  /** Adds the next part; a file longer than the one validated is refused here, before it is inflated further. */
  add(part: Uint8Array): void {
    if (this.received + part.byteLength > this.expected.bytes) throw this.lengthChanged(this.received + part.byteLength, 'at least ');
    this.file.set(part, this.received);
    this.received += part.byteLength;
    // Not awaited: the writer queues the parts in order and inflates while the next ones arrive.
    this.inflater?.writer.write(part as Uint8Array<ArrayBuffer>).catch(() => undefined);
  }

  /** What the sink made of the file's bytes (inflated when gzip-compressed) once the whole file came and is the one validated. */
  async finish(): Promise<T> {
    if (this.received !== this.expected.bytes) throw this.lengthChanged(this.received, '');
    this.inflater?.writer.close().catch(() => undefined);
    const digest = crypto.subtle.digest('SHA-256', this.file as Uint8Array<ArrayBuffer>);
    // Both finish at once: SHA-256 runs off this thread while the last parts inflate.
    const [hash, inflated] = await Promise.allSettled([digest, this.inflater?.output ?? Promise.resolve(undefined)]);
    const compressed = this.file;
    // The file's bytes are done with once hashed (72 MB at 10M spans; the inflated ones are decoded next).
    if (this.inflater) this.file = new Uint8Array(0);
    if (hash.status === 'rejected') throw new Error(`the report file could not be checked: ${String(hash.reason)}`);
    const hex = [...new Uint8Array(hash.value)].map((b) => b.toString(16).padStart(2, '0')).join('');
    if (hex !== this.expected.sha256.toLowerCase()) throw new FileChanged('the report file changed after it was read (its SHA-256 differs): reopen it');
    const unreadable = (reason: unknown) => new Error(`packed report cannot be read: ${(reason as Error)?.message ?? String(reason)}`);
    if (inflated.status === 'rejected') throw unreadable(inflated.reason);
    if (this.inflater) return inflated.value as T;
    try {
      this.sink.push(compressed);
      return this.sink.end();
    } catch (err) {
      throw unreadable(err);
    }
  }

  /** Stops inflating (the fetch failed or the file was refused). */
  abort(): void {
    this.inflater?.writer.abort().catch(() => undefined);
  }

  private lengthChanged(now: number, atLeast: string): FileChanged {
    this.abort();
    return new FileChanged(`the report file changed after it was read (${this.expected.bytes} bytes then, ${atLeast}${now} now): reopen it`);
  }

  /** The inflated output, to the sink as it comes (collectInflated); progress told while the file is still arriving. */
  private collect(readable: ReadableStream<Uint8Array>): Promise<T> {
    let told = 0;
    return collectInflated(readable, this.sink, (length) => {
      if (this.received < this.expected.bytes && (length - told >= PROGRESS_BYTES || told === 0)) this.progress(told = length);
    });
  }
}

/** An inflated stream to `sink` as it comes; stopped past MAX_REPORT_BYTES (the reader's limit: a file that changed, or a page's own bytes, could be a gzip bomb). */
async function collectInflated<T>(readable: ReadableStream<Uint8Array>, sink: InflatedSink<T>, inflated: (length: number) => void): Promise<T> {
  const reader = readable.getReader();
  let length = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    length += value.length;
    inflated(length);
    if (length > MAX_REPORT_BYTES) {
      void reader.cancel().catch(() => undefined);
      throw new Error(`the report inflates to more than ${MAX_REPORT_BYTES} bytes`);
    }
    sink.push(value);
  }
  return sink.end();
}

/**
 * A standalone page's own report, gzip-compressed, arriving in parts: the page hands each part
 * over as the browser parses it (html-report.ts), and it is inflated into the sink as it comes, so
 * inflating and unpacking overlap the parsing of the rest. No file to check it against: what the
 * sink makes of it is validated in full afterwards.
 */
export class InflatingParts<T> {
  private readonly writer: WritableStreamDefaultWriter<BufferSource>;
  private readonly output: Promise<T>;

  constructor(sink: InflatedSink<T>) {
    const stream = new DecompressionStream('gzip');
    this.writer = stream.writable.getWriter();
    this.writer.closed.catch(() => undefined);
    this.output = collectInflated(stream.readable, sink, () => undefined);
    this.output.catch(() => undefined);
  }

  add(part: Uint8Array): void {
    this.writer.write(part as Uint8Array<ArrayBuffer>).catch(() => undefined);
  }

  /** What the sink made of the whole inflated report (throws: why it cannot be read). */
  async finish(): Promise<T> {
    this.writer.close().catch(() => undefined);
    try {
      return await this.output;
    } catch (err) {
      throw new Error(`packed report cannot be read: ${(err as Error)?.message ?? String(err)}`);
    }
  }

  abort(): void {
    this.writer.abort().catch(() => undefined);
  }
}
