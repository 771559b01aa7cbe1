// One formatter per unit, each named for the unit of its INPUT, each printing its unit, so a
// number is never shown in a unit it was not measured in. Used by the sweep / A-B / compare
// output of the CLI and by its Markdown. Plain text; '-' for a value that does not exist.

/** Digits that suit a size: 1234, 56.7, 0.42. */
function scaled(x: number): string {
  const a = Math.abs(x);
  return a >= 100 ? x.toFixed(0) : a >= 10 ? x.toFixed(1) : x.toFixed(2);
}

/** A duration given in milliseconds: '1234 ms', '56.7 ms', '0.42 ms'. */
export function formatMs(ms: number | null | undefined): string {
  return ms === null || ms === undefined || !Number.isFinite(ms) ? '-' : `${scaled(ms)} ms`;
}

/** A duration given in microseconds, shown in milliseconds. */
export function formatMsFromUs(us: number | null | undefined): string {
  return us === null || us === undefined ? '-' : formatMs(us / 1000);
}

/** A signed duration given in milliseconds: '+12.3 ms', '-0.42 ms'. */
export function formatDeltaMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '-';
  return `${ms > 0 ? '+' : ''}${formatMs(ms)}`;
}

/** A fraction given as 0..1 (utilization, serial fraction), shown in percent: '12.3 %'. */
export function formatPercent(fraction: number | null | undefined): string {
  if (fraction === null || fraction === undefined || !Number.isFinite(fraction)) return '-';
  const pct = fraction * 100;
  return `${Math.abs(pct) >= 10 ? pct.toFixed(0) : pct.toFixed(1)} %`;
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
export function textTable(header: string[], rows: string[][], rightAligned: boolean[]): string[] {
  const widths = header.map((h, c) => rows.reduce((w, r) => Math.max(w, (r[c] ?? '').length), h.length));
  const line = (cells: string[]): string =>
    '  ' + cells.map((x, c) => (rightAligned[c] ? x.padStart(widths[c]) : x.padEnd(widths[c]))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)];
}

/** Rows of cells as a GitHub Markdown table; `|` in cells is escaped. */
export function markdownTable(header: string[], rows: string[][], rightAligned: boolean[]): string[] {
  const cell = (x: string): string => x.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  return [
    `| ${header.map(cell).join(' | ')} |`,
    `| ${rightAligned.map((r) => (r ? '---:' : ':---')).join(' | ')} |`,
    ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
  ];
}
