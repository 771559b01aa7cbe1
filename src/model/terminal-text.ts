// Text from a report (thread, region and function names, paths, messages) printed on a terminal.
// A report is input like any other file: its names may hold escape sequences that set the
// window title, clear the screen, plant OSC-8 links, or newlines that forge lines of our output.
// Every such character is printed as a visible escape instead.

/**
 * C0 controls (newline and tab included: a name is one line), DEL, C1 controls, and the Unicode
 * bidi embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069) that reorder what
 * follows them on screen, plus the line and paragraph separators U+2028/U+2029.
 */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

function escapeChar(c: string): string {
  const code = c.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** `s` with every control, bidi or line-breaking character shown as `\x1b` or `\u202e`; a backslash stays as it is. */
export function terminalSafe(s: string): string {
  return s.replace(UNSAFE, escapeChar);
}

/**
 * A copy of `value` (parsed JSON: objects, arrays, strings, numbers...) with terminalSafe applied
 * to every string in it: what a command prints from a file it read (a comparison's sides, a sweep
 * report) then cannot start a line of its own or reach the terminal raw, whichever cell, title or
 * sentence the string lands in. Both sides escaped alike, names still pair by equality.
 */
export function terminalSafeDeep<T>(value: T): T {
  return mapStrings(value, terminalSafe);
}

/** A copy of `value` with `f` applied to every string in it (objects, arrays; typed arrays and other values kept). */
export function mapStrings<T>(value: T, f: (s: string) => string): T {
  if (typeof value === 'string') return f(value) as T;
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, f)) as T;
  if (value !== null && typeof value === 'object' && !ArrayBuffer.isView(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = mapStrings(v, f);
    return out as T;
  }
  return value;
}

/**
 * JSON text safe on a terminal: JSON.stringify already escapes C0 controls; this also writes DEL,
 * C1 and bidi characters as \u escapes, which JSON readers decode to the same string.
 */
export function terminalSafeJson(json: string): string {
  return json.replace(/[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Markdown lines joined, each escaped as terminalSafe escapes it: a Markdown export is read in a
 * terminal, an editor or a pull request, and a name's ESC or BEL byte must not reach any of them raw.
 */
export function safeMarkdown(lines: readonly string[]): string {
  return lines.map(terminalSafe).join('\n');
}
