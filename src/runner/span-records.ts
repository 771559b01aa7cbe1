// A thread's span records (SPAN_RECORD_FIELDS float64 each, src/runtime/contract.ts SPAN_FIELDS),
// read in batches where the report is built: ten million spans are 800 MB of records, which the
// runner must not hold beside the report's columns.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { SPAN_RECORD_FIELDS } from '../runtime/contract';

const RECORD_BYTES = 8 * SPAN_RECORD_FIELDS;
/** Records per batch: 4 MB of reading buffer. */
const BATCH_RECORDS = 52_428;

/** Span records of one thread, in the order the thread wrote them. */
export interface SpanRecords {
  /** Whole records (a killed writer may leave a partial last one, which is not counted). */
  readonly count: number;
  /**
   * Calls `each` with consecutive batches of whole records, in write order, `count` in all; the
   * batch's memory is reused by the next call, so copy what you keep. A file that shrank since
   * it was counted gives fewer.
   */
  read(each: (batch: Float64Array) => void): void;
}

export const NO_SPAN_RECORDS: SpanRecords = { count: 0, read: () => undefined };

/** The records of a spans-<tid>.bin file, counted now, read when asked. */
export function spanRecordsInFile(path: string): SpanRecords {
  const fd = openSync(path, 'r');
  let size: number;
  try {
    size = fstatSync(fd).size;
  } finally {
    closeSync(fd);
  }
  const count = Math.floor(size / RECORD_BYTES);
  return {
    count,
    read(each) {
      if (count === 0) return;
      // A Float64Array of its own (not a pooled Buffer): its bytes start 8-aligned.
      const batch = new Float64Array(Math.min(count, BATCH_RECORDS) * SPAN_RECORD_FIELDS);
      const bytes = new Uint8Array(batch.buffer);
      const fd = openSync(path, 'r');
      try {
        let position = 0;
        for (let left = count; left > 0;) {
          const want = Math.min(left, BATCH_RECORDS) * RECORD_BYTES;
          let got = 0;
          while (got < want) {
            const n = readSync(fd, bytes, got, want - got, position + got);
            if (n === 0) break;
            got += n;
          }
          const records = Math.floor(got / RECORD_BYTES);
          if (records > 0) each(batch.subarray(0, records * SPAN_RECORD_FIELDS));
          if (got < want) return;
          position += got;
          left -= records;
        }
      } finally {
        closeSync(fd);
      }
    },
  };
}

/** Records already in memory (tests, a spool built by hand). */
export function spanRecordsOf(records: Float64Array): SpanRecords {
  const count = Math.floor(records.length / SPAN_RECORD_FIELDS);
  return { count, read: (each) => { if (count > 0) each(records.subarray(0, count * SPAN_RECORD_FIELDS)); } };
}
