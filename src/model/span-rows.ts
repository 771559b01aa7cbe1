// The report's task spans as one object per span, for `parprof report --json --spans`: as an
// array (small reports, tests) or as JSON text in pieces (any size).
import type { Report } from './report';

/** One task span: one scheduled chunk (or join task, or external pool message). Times in µs from the run origin. */
export interface SpanRow {
  thread: number;
  region: number;
  /** 0-based task index within the region. */
  index: number;
  /** First item (0-based position in the operation's input) and number of items the task covered. */
  first: number;
  items: number;
  enqueue: number;
  start: number;
  end: number;
  /** Thread id the task's range was stolen from (the first chunk run from a stolen range), or -1. */
  stolenFrom: number;
  /** Task index of the join task that spawned it, or -1. */
  parent: number;
  /** 1 when the task threw. */
  failed: number;
  /**
   * Format 2's SPAN_* bits (src/model/report.ts), present when the report has them:
   * 1 concurrent (an async handler's spans overlap), 2 derived (busy time from CPU samples, not a
   * task), 4 submit time unknown (no queue wait).
   */
  flags?: number;
}

export function spanRows(report: Report): SpanRow[] {
  const s = report.spans;
  const rows: SpanRow[] = new Array(s.count);
  for (let i = 0; i < s.count; i++) rows[i] = rowAt(s, i);
  return rows;
}

/** Rows per piece of spanRowsJson: a piece is a few MB of text. */
const ROWS_PER_PIECE = 10_000;

/**
 * The text JSON.stringify(spanRows(report), null, 2) gives, nested `depth` levels deep (its lines
 * after the first indented by 2 × depth spaces), in pieces: ten million rows are ~3 GB of text,
 * past V8's longest string, and this holds one piece's rows at a time.
 */
export function* spanRowsJson(report: Report, depth: number): Generator<string> {
  const n = report.spans.count;
  if (n === 0) { yield '[]'; return; }
  const inner = ' '.repeat(2 * (depth + 1));
  for (let from = 0; from < n; from += ROWS_PER_PIECE) {
    const to = Math.min(n, from + ROWS_PER_PIECE);
    const parts: string[] = [];
    for (let i = from; i < to; i++) {
      const row = rowAt(report.spans, i);
      parts.push(inner + JSON.stringify(row, null, 2).replaceAll('\n', `\n${inner}`));
    }
    yield (from === 0 ? '[\n' : ',\n') + parts.join(',\n');
  }
  yield `\n${' '.repeat(2 * depth)}]`;
}

function rowAt(s: Report['spans'], i: number): SpanRow {
  return { thread: s.thread[i], region: s.region[i], index: s.index[i], first: s.first[i], items: s.items[i], enqueue: s.enqueue[i],
    start: s.start[i], end: s.end[i], stolenFrom: s.stolenFrom[i], parent: s.parent[i], failed: s.failed[i],
    ...(s.flags ? { flags: s.flags[i] } : {}) };
}
