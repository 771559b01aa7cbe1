// Small DOM helpers. Every user string goes in as text (textContent), never as HTML.
import { formatMs, formatMsFromUs, formatPercent, formatRatio } from '../src/model/units';

type Attrs = Record<string, string | number | boolean | undefined>;

/** Creates an element with attributes and children; strings become text nodes. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: (Node | string | undefined)[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children) {
    if (child === undefined) continue;
    node.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return node;
}

// The views print numbers through src/model/units.ts, as the CLI and the extension do; these
// names are the views' own for those formatters.
/** A duration given in µs, shown in ms. */
export const ms = formatMsFromUs;
/** A duration given in ms. */
export const msValue = formatMs;
/** A fraction 0..1, shown in percent. */
export const percent = formatPercent;
/** A dimensionless ratio (imbalance). */
export const ratio = formatRatio;

/** `file:line` for display, or '' when there is no file. */
export function location(file: string, line: number): string {
  if (!file) return '';
  return line > 0 ? `${file}:${line}` : file;
}

/** A file path shortened from the left to about `max` characters, for narrow labels. */
export function shortPath(file: string, max = 48): string {
  return file.length <= max ? file : `…${file.slice(file.length - max + 1)}`;
}

/** A <table> with a caption, a header row and rows of cells (strings or nodes). */
export function table(caption: string, headers: string[], rows: (string | Node)[][], attrs: Attrs = {}): HTMLTableElement {
  const t = el('table', attrs, el('caption', {}, caption));
  const head = el('tr');
  for (const h of headers) head.append(el('th', { scope: 'col' }, h));
  t.append(el('thead', {}, head));
  const body = el('tbody');
  for (const row of rows) body.append(el('tr', {}, ...row.map((c) => el('td', {}, c))));
  t.append(body);
  return t;
}
