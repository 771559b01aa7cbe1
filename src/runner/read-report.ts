// Reading a report file from disk without letting the file decide what happens: a folder, a
// device (/dev/zero grows without end), a FIFO (blocks forever), a file larger than V8 can hold or
// a gzip bomb each end with one ReportError instead of a hang or an abort.
import { closeSync, constants, createReadStream, fstatSync, openSync, readSync } from 'node:fs';
import type { Stats } from 'node:fs';
import { createGunzip, gunzipSync } from 'node:zlib';
import { ReportError, parseReport, type Inflater } from '../model/load';
import { MAX_REPORT_BYTES } from '../model/limits';
import type { Report } from '../model/report';

/** The file itself cannot be read as a report (missing, a folder, a device, too large); the message names it. */
export class ReportFileError extends ReportError {
  override name = 'ReportFileError';
}

function kind(st: Stats): string | undefined {
  if (st.isFile()) return undefined;
  if (st.isDirectory()) return 'a folder';
  if (st.isFIFO()) return 'a pipe (FIFO)';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** Why a file could not be read, in words with the code after them: 'no such file (ENOENT)'. */
export function readErrorWords(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  const words = code === 'ENOENT' ? 'no such file' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : undefined;
  return words ? `${words} (${code})` : code ?? (err as Error).message;
}

/** Opens `file` for reading as readFileCapped does (non-blocking; a regular file of at most `maxBytes`, checked on the descriptor). */
function openCapped(file: string, maxBytes: number): { fd: number; size: number } {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (err) {
    throw new ReportFileError(`cannot read ${file}: ${readErrorWords(err)}`);
  }
  try {
    const st = fstatSync(fd);
    const what = kind(st);
    if (what) throw new ReportFileError(`${file} is ${what}, not a report file`);
    if (st.size > maxBytes) throw new ReportFileError(`${file} is too large: ${Math.round(st.size / 2 ** 20)} MiB, the limit is ${Math.round(maxBytes / 2 ** 20)} MiB`);
    return { fd, size: st.size };
  } catch (err) {
    closeSync(fd);
    throw err;
  }
}

/** Reads into `buf` from `at` to its end (file position `position`, null: the current one); a failure in one line naming the file. */
function readCapped(file: string, fd: number, buf: Uint8Array, at: number, position: number | null): number {
  try {
    return readSync(fd, buf, at, buf.length - at, position);
  } catch (err) {
    throw new ReportFileError(`cannot read ${file}: ${readErrorWords(err)}`);
  }
}

/** The first `length` bytes of a regular file (fewer if it is shorter), with readFileCapped's checks, and its size. */
export function readFilePrefix(file: string, length: number, maxBytes = MAX_REPORT_BYTES): { prefix: Uint8Array; size: number } {
  const { fd, size } = openCapped(file, maxBytes);
  try {
    const buf = Buffer.allocUnsafe(Math.min(length, Math.max(size, 1)));
    let got = 0;
    while (got < buf.length) {
      const n = readCapped(file, fd, buf, got, got);
      if (n === 0) break;
      got += n;
    }
    return { prefix: buf.subarray(0, got), size };
  } finally {
    closeSync(fd);
  }
}

/**
 * A gzip-compressed file inflated as a stream straight from the disk (decodeReportStreamed's
 * inflater, load.ts Inflater; the bytes it is given are not read): the file is never whole in
 * memory and is read while what came before is decoded (10M spans: 72 MB, ~0.35 s to read whole
 * first). Opened with readFileCapped's checks; the inflated size is capped by the decoder.
 */
export function zlibFileInflater(file: string, maxBytes = MAX_REPORT_BYTES): Inflater {
  return () => {
    const { fd } = openCapped(file, maxBytes);
    const source = createReadStream('', { fd, highWaterMark: 1 << 20, autoClose: true });
    const stream = createGunzip({ chunkSize: 1 << 20 });
    source.on('error', (err) => stream.destroy(new ReportFileError(`cannot read ${file}: ${readErrorWords(err)}`)));
    source.pipe(stream);
    const chunks = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    return {
      read: async () => {
        const next = await chunks.next();
        return next.done ? { done: true } : { done: false, value: next.value as Uint8Array };
      },
      cancel: async () => { source.destroy(); stream.destroy(); },
    };
  };
}

/**
 * The bytes of a regular file, at most `maxBytes`. Opened non-blocking, so opening a FIFO returns
 * at once (and is then refused by its type); the type is checked on the open descriptor, so it
 * cannot change between the check and the read. Reads until end of file, not to the size fstat
 * gives, since files under /proc report size 0.
 */
export function readFileCapped(file: string, maxBytes = MAX_REPORT_BYTES): Uint8Array {
  const { fd, size } = openCapped(file, maxBytes);
  try {
    let buf = Buffer.allocUnsafe(Math.min(maxBytes + 1, Math.max(size + 1, 64 * 1024)));
    let length = 0;
    for (;;) {
      if (length === buf.length) {
        if (length > maxBytes) throw new ReportFileError(`${file} is too large: more than ${Math.round(maxBytes / 2 ** 20)} MiB, the limit`);
        const bigger = Buffer.allocUnsafe(Math.min(maxBytes + 1, buf.length * 2));
        buf.copy(bigger, 0, 0, length);
        buf = bigger;
      }
      const n = readCapped(file, fd, buf, length, null);
      if (n === 0) break;
      length += n;
    }
    if (length > maxBytes) throw new ReportFileError(`${file} is too large: more than ${Math.round(maxBytes / 2 ** 20)} MiB, the limit`);
    return buf.subarray(0, length);
  } finally {
    closeSync(fd);
  }
}

/** Zlib's default output chunk, bytes: what gunzip uses when the stream's trailer gives no size worth trusting. */
const DEFAULT_CHUNK = 64 * 1024;

/**
 * Zlib's gunzip, stopped at maxOutputLength bytes (a 1 MB gzip can hold 1 GB of zeros). Its output
 * is inflated into one buffer of the size the gzip trailer states (ISIZE, the last member's length
 * mod 2^32), capped at maxOutputLength: inflated in 64 KiB chunks and joined, a 263 MB report took
 * twice its size at its peak (the chunks and their copy) and 0.7 s instead of 0.4. A trailer that
 * says too little only means more chunks; one that says too much leaves most of the buffer
 * untouched, and the result is then copied into a buffer of its own size.
 */
export function gunzipCapped(bytes: Uint8Array, maxOutputLength: number): Uint8Array {
  const stated = bytes.length >= 18 ? new DataView(bytes.buffer, bytes.byteOffset + bytes.length - 4, 4).getUint32(0, true) : 0;
  const chunkSize = Math.max(DEFAULT_CHUNK, Math.min(maxOutputLength, stated) + 1);
  const out = gunzipSync(bytes, { maxOutputLength, chunkSize });
  return out.buffer.byteLength > 2 * out.length + DEFAULT_CHUNK ? out.slice() : out;
}

/**
 * Reads and validates a .parprof (or .parprof.gz) file; every problem is a ReportError of one
 * line: a ReportFileError naming the file when the file cannot be read, else the report's problem.
 */
export function readReportFile(file: string, maxBytes = MAX_REPORT_BYTES): Report {
  return parseReport(readFileCapped(file, maxBytes), { gunzip: gunzipCapped, maxBytes });
}

/**
 * Node's zlib as decodeReportStreamed's inflater (load.ts Inflater): 1 MiB chunks, inflated off the
 * main thread. At ten million spans it inflates the 72 MB file in ~0.2 s where DecompressionStream's
 * 64 KiB chunks (a promise each) took ~1.5 s of the same decode.
 */
export const zlibInflater: Inflater = (gzip) => {
  const stream = createGunzip({ chunkSize: 1 << 20 });
  stream.end(gzip);
  const chunks = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  return {
    read: async () => {
      const next = await chunks.next();
      return next.done ? { done: true } : { done: false, value: next.value as Uint8Array };
    },
    cancel: async () => { stream.destroy(); },
  };
};
