// One formatter per unit, each named for the unit of its INPUT and printing its unit, so a number
// is never shown in a unit it was not measured in. The CLI (`parprof report`, sweep, ab, compare),
// the Markdown exports, the extension's texts and the webview all print through this module, so
// one run reads the same everywhere. Plain text; '-' for a value that does not exist.

/** Digits that suit a size: 1234, 56.7, 4.25, 0.425. */
function scaled(x: number): string {
  const a = Math.abs(x);
  return a >= 100 ? x.toFixed(0) : a >= 10 ? x.toFixed(1) : a >= 1 || a === 0 ? x.toFixed(2) : x.toFixed(3);
}

function missing(x: number | null | undefined): x is null | undefined {
  return x === null || x === undefined || !Number.isFinite(x);
}

/** The digits of formatMs without the unit, for a table column whose header says 'ms'. */
export function msDigits(ms: number | null | undefined): string {
  return missing(ms) ? '-' : scaled(ms);
}

/** A duration given in milliseconds: '1234 ms', '56.7 ms', '4.25 ms', '0.425 ms'. */
export function formatMs(ms: number | null | undefined): string {
  return missing(ms) ? '-' : `${scaled(ms)} ms`;
}

/** A duration given in milliseconds, printed in microseconds without the unit (a column headed 'µs'). */
export function usDigitsFromMs(ms: number | null | undefined): string {
  return missing(ms) ? '-' : scaled(ms * 1000);
}

/** A duration given in milliseconds, printed in microseconds: '0.420 µs', '8.30 µs', '120 µs'. */
export function formatUsFromMs(ms: number | null | undefined): string {
  return missing(ms) ? '-' : `${scaled(ms * 1000)} µs`;
}

/**
 * A duration given in milliseconds, in the unit that suits its size, for prose and lists:
 * '0.800 µs' and '120 µs' below a millisecond (gaps between chunks are often under a µs),
 * '56.7 ms' below a second, '2.31 s' from a second.
 */
export function formatDurationMs(ms: number | null | undefined): string {
  if (missing(ms)) return '-';
  const a = Math.abs(ms);
  if (a > 0 && a < 1) return formatUsFromMs(ms);
  return a < 1000 ? formatMs(ms) : `${(ms / 1000).toFixed(2)} s`;
}

/**
 * A time given in microseconds, printed in ms with as many decimals as `stepUs` (the precision in
 * view, e.g. the step between axis ticks) needs: '12 ms' at a 1 ms step, '12.35 ms' at 10 µs.
 */
export function formatMsFromUsAtStep(us: number, stepUs = 1000): string {
  if (!Number.isFinite(us)) return '-';
  const decimals = stepUs > 0 ? Math.max(0, Math.min(6, Math.ceil(-Math.log10(stepUs / 1000) - 1e-9))) : 1;
  return `${(us / 1000).toFixed(decimals)} ms`;
}

/** A duration given in microseconds, shown in milliseconds. */
export function formatMsFromUs(us: number | null | undefined): string {
  return missing(us) ? '-' : formatMs(us / 1000);
}

/** A signed duration given in milliseconds: '+12.3 ms', '-0.42 ms'. */
export function formatDeltaMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '-';
  return `${ms > 0 ? '+' : ''}${formatMs(ms)}`;
}

/** A count as text with thousands separators: 1,000,000 tasks, not 1000000. */
export function formatCount(n: number): string {
  // Whole numbers without Intl: a page's first call to toLocaleString loads the locale's number
  // format (26 ms before a 1M-span report's first paint). The same text as toLocaleString('en-US').
  if (Number.isSafeInteger(n) && !Object.is(n, -0)) return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return Number.isFinite(n) ? n.toLocaleString('en-US') : String(n);
}

/** A count and its noun, the count with separators: '1 task', '1,000 tasks', '2 busy stretches'. */
export function formatPlural(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

/** A fraction given as 0..1 (utilization, serial fraction), shown in percent: '93 %', '4.2 %', '0 %'. */
export function formatPercent(fraction: number | null | undefined): string {
  if (fraction === null || fraction === undefined || !Number.isFinite(fraction)) return '-';
  const pct = fraction * 100;
  return `${Math.abs(pct) >= 10 || pct === 0 ? pct.toFixed(0) : pct.toFixed(1)} %`;
}

/** A relative change given as a fraction (0.3 = 30 % more), signed: '+30.0 %', '-4.2 %'. */
export function formatChange(fraction: number | null | undefined): string {
  if (fraction === null || fraction === undefined || !Number.isFinite(fraction)) return '-';
  const pct = fraction * 100;
  return `${pct > 0 ? '+' : ''}${pct.toFixed(1)} %`;
}

/** A dimensionless ratio (imbalance, efficiency as a ratio, the Karp–Flatt metric): '1.23'. */
export function formatRatio(x: number | null | undefined): string {
  return x === null || x === undefined || !Number.isFinite(x) ? '-' : x.toFixed(2);
}

/** A signed difference of ratios: '+0.12'. */
export function formatDeltaRatio(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '-';
  return `${x > 0 ? '+' : ''}${x.toFixed(2)}`;
}

/** A speedup given as a factor (T_base / T): '1.87×'. */
export function formatSpeedup(factor: number | null | undefined): string {
  return factor === null || factor === undefined || !Number.isFinite(factor) ? '-' : `${factor.toFixed(2)}×`;
}

/** A spread of repeats given in milliseconds as min–max: '401–415 ms'; a single run: its value. */
export function formatRangeMs(min: number, max: number): string {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return '-';
  return min === max ? formatMs(min) : `${scaled(min)}–${scaled(max)} ms`;
}

/** Rows of cells as aligned plain-text columns (two leading spaces, two between columns). */
export function textTable(header: string[], rows: string[][], rightAligned: boolean[], minWidths: number[] = []): string[] {
  const widths = header.map((h, c) => rows.reduce((w, r) => Math.max(w, (r[c] ?? '').length), Math.max(h.length, minWidths[c] ?? 0)));
  const line = (cells: string[]): string =>
    '  ' + cells.map((x, c) => (rightAligned[c] ? x.padStart(widths[c]) : x.padEnd(widths[c]))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)];
}

/**
 * Column widths that fit every table of `tables` (rows of cells under `header`): tables printed one
 * under another with the same columns (a sweep's subjects, an A/B's rows) line up.
 */
export function sharedWidths(header: string[], tables: string[][][]): number[] {
  return header.map((h, c) => tables.reduce((w, rows) => rows.reduce((x, r) => Math.max(x, (r[c] ?? '').length), w), h.length));
}

/** Rows of cells as a GitHub Markdown table; `|` in cells is escaped. */
/**
 * Text from a report (a name, a path) in Markdown: its Markdown and HTML syntax escaped (a name
 * cannot become a link, an image, a tag or a table column), line breaks made spaces.
 */
export function markdownText(x: string): string {
  return x.replace(/[\\`*_[\]<>|!#~]/g, (c) => `\\${c}`).replace(/[\r\n]+/g, ' ');
}

/** Cells are Markdown already (names escaped by the caller: markdownText); a pipe not escaped yet is, and a line break is a space. */
/** A file name in Markdown as code (nothing in a code span is a link or a tag); as escaped text when it holds a backtick. */
export function markdownCode(x: string): string {
  return /[`\r\n]/.test(x) ? markdownText(x) : `\`${x}\``;
}

export function markdownTable(header: string[], rows: string[][], rightAligned: boolean[]): string[] {
  const cell = (x: string): string => x.replace(/(?<!\\)\|/g, '\\|').replace(/[\r\n]+/g, ' ');
  return [
    `| ${header.map(cell).join(' | ')} |`,
    `| ${rightAligned.map((r) => (r ? '---:' : ':---')).join(' | ')} |`,
    ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
  ];
}
