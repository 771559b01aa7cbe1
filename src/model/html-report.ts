// The HTML around the webview bundle: one self-contained standalone report file, and the page of
// the VS Code panel. Pure string building (no I/O, no randomness), so the same report and bundle
// give the same file.
import type { Report } from './report';
import { packReport, unpackReport, withPlainColumns } from './packed-report';
import { fromBase64, toBase64 } from './base64';

export { fromBase64 };

/** Id of the <script type="application/json"> element that carries the report in a standalone file. */
export const REPORT_ELEMENT_ID = 'parprof-report';

export interface StandaloneOptions {
  /** Page title; defaults to 'Parallel Profiler: <script file name>'. */
  title?: string;
  /** CSP nonce; defaults to a hash of the content, so the output is deterministic. */
  nonce?: string;
  /**
   * Compresses bytes with gzip (Node: zlib.gzipSync). When given, the report is stored packed
   * (packed-report.ts: span and sample columns as narrow binary integers), gzip-compressed, in
   * base64: about 10× smaller than the JSON, and the page decodes its columns straight into typed
   * arrays instead of parsing a million JSON numbers.
   */
  gzip?: (bytes: Uint8Array) => Uint8Array;
}

/** `data-encoding` of the report element when it holds gzip-compressed JSON in base64 (files written before packing; still read). */
export const GZIP_BASE64 = 'gzip-base64';
/** `data-encoding` of the report element when it holds a gzip-compressed packed report (packed-report.ts) in base64. */
export const PACKED_GZIP_BASE64 = 'packed-gzip-base64';
/**
 * Base64 characters per <script> element (a multiple of 4, so parts decode on their own). Chromium
 * parses a page with many ½ MB text elements markedly faster than one with a single 10 MB one.
 * The first part is the element REPORT_ELEMENT_ID with `data-parts`; part k is `${REPORT_ELEMENT_ID}-${k}`.
 */
export const PART_CHARS = 512 * 1024;

/** The id of part k's element: REPORT_ELEMENT_ID for the first, `${REPORT_ELEMENT_ID}-${k}` after. */
export function reportPartId(k: number): string {
  return k === 0 ? REPORT_ELEMENT_ID : `${REPORT_ELEMENT_ID}-${k}`;
}
/**
 * `<body>` attribute of a page whose bundle comes before its parts: the number of parts, each
 * followed by an inline `PART_CALL(k)` that hands part k to the bundle once it is parsed.
 */
export const STREAMED_PARTS_ATTRIBUTE = 'data-parprof-parts';
/** The global function the inline call after each part calls (webview/main.ts defines it). */
export const PART_CALL = '__parprofPart';

/**
 * One HTML file holding the bundle and the report, that opens offline in any browser: a strict
 * CSP (nothing may be fetched), the bundle inline under a nonce, the report as JSON data.
 */
export function standaloneHtml(report: Report, bundleJs: string, options: StandaloneOptions = {}): string {
  const compact = compactTimes(report);
  const data = options.gzip ? toBase64(options.gzip(packReport(compact))) : escapeJsonForHtml(JSON.stringify(compact));
  const parts: string[] = [];
  for (let at = 0; options.gzip && at < data.length; at += PART_CHARS) parts.push(data.slice(at, at + PART_CHARS));
  if (parts.length === 0) parts.push(data);
  const script = escapeScriptForHtml(bundleJs);
  const nonce = options.nonce ?? contentNonce(script, data);
  if (!/^[A-Za-z0-9+/=_-]+$/.test(nonce)) throw new Error(`nonce must be base64 characters only, got '${nonce}'`);
  const title = options.title ?? `Parallel Profiler: ${baseName(report.meta?.script ?? 'report')}`;
  // worker-src blob:: the views decode a packed report in a Web Worker made from a blob of their own bundle (webview/report-decoder.ts).
  const csp = `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; img-src data:; worker-src blob:`;
  const bundle = `<script nonce="${nonce}">${script}</script>`;
  return [
    ...documentHead(csp, title),
    '<meta name="color-scheme" content="light dark">',
    '</head>',
    ...(options.gzip
      // The bundle first, then each part and a call that hands it to the decoder as soon as the
      // browser has parsed it (webview/main.ts PART_CALL): the parts inflate and unpack in a worker
      // while the browser parses the rest (13 MB of parts take ~0.5 s to parse at 1M spans).
      ? [`<body ${STREAMED_PARTS_ATTRIBUTE}="${parts.length}">`, bundle, parts.map((part, k) => (k === 0
        ? `<script type="application/octet-stream" id="${REPORT_ELEMENT_ID}" data-encoding="${PACKED_GZIP_BASE64}" data-parts="${parts.length}">${part}</script>`
        : `<script type="application/octet-stream" id="${reportPartId(k)}">${part}</script>`) +
        `<script nonce="${nonce}">${PART_CALL}(${k})</script>`).join('\n')]
      : ['<body>', `<script type="application/json" id="${REPORT_ELEMENT_ID}">${data}</script>`, bundle]),
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/** Id of the <script type="application/json"> element that carries a sweep or comparison page (sweep-lanes.ts SweepPage, or { compare, base, next }). */
export const SWEEP_ELEMENT_ID = 'parprof-sweep';

/**
 * A standalone page of a sweep / A-B report or a comparison: the same bundle, the page's data as
 * JSON in SWEEP_ELEMENT_ID with `data-page` saying which ('sweep' or 'compare'). Small data (no
 * profiles), so plain JSON.
 */
export function standalonePageHtml(page: 'sweep' | 'compare', data: unknown, bundleJs: string, title: string, nonceArg?: string): string {
  const json = escapeJsonForHtml(JSON.stringify(data));
  const script = escapeScriptForHtml(bundleJs);
  const nonce = nonceArg ?? contentNonce(script, json);
  if (!/^[A-Za-z0-9+/=_-]+$/.test(nonce)) throw new Error(`nonce must be base64 characters only, got '${nonce}'`);
  const csp = `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; img-src data:`;
  return [
    ...documentHead(csp, title),
    '<meta name="color-scheme" content="light dark">',
    '</head>',
    '<body>',
    `<script type="application/json" id="${SWEEP_ELEMENT_ID}" data-page="${page}">${json}</script>`,
    `<script nonce="${nonce}">${script}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

export interface WebviewHtmlOptions {
  /** Fresh per panel (the extension makes it with crypto randomness). */
  nonce: string;
  /** `webview.cspSource` of the panel. */
  cspSource: string;
  /** `webview.asWebviewUri(dist/webview.js)` as a string; or, instead, */
  scriptUri?: string;
  /**
   * the bundle itself, inline under the nonce: a webview then fetches nothing to start (in
   * code-server each resource goes service worker → workbench → server and back, seconds for the
   * first webview of a session on a busy machine).
   */
  scriptText?: string;
  title?: string;
}

/** The opening of both pages, up to the open <head>: doctype, charset, the CSP, viewport, title. */
function documentHead(csp: string, title: string): string[] {
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    // ASCII only, as the bundle is (scripts/build.mjs checkViewsAscii): a script's name outside
    // Latin-1 in the title made Chromium parse the whole page, report parts and all, as 16-bit text.
    `<title>${asciiHtml(escapeHtml(title))}</title>`,
  ];
}

/** HTML text with every character outside ASCII written as a character reference (it reads the same). */
export function asciiHtml(html: string): string {
  return html.replace(/[^\x00-\x7f]/gu, (c) => `&#${c.codePointAt(0)};`);
}

/** The page of the VS Code webview panel; the report arrives later by message (`init`). */
export function webviewHtml(options: WebviewHtmlOptions): string {
  const { nonce, cspSource, scriptUri, scriptText } = options;
  if (!/^[A-Za-z0-9+/=_-]+$/.test(nonce)) throw new Error(`nonce must be base64 characters only, got '${nonce}'`);
  if ((scriptUri === undefined) === (scriptText === undefined)) throw new Error('webviewHtml needs one of scriptUri and scriptText');
  // worker-src blob:: the packed report is decoded in a Web Worker made from a blob (webview/report-decoder.ts); nothing remote.
  // connect-src: a large report's file is fetched as a webview resource (the panel's own resource roots; webviewHost.ts).
  const csp = `default-src 'none'; script-src 'nonce-${nonce}'; style-src ${cspSource} 'nonce-${nonce}'; img-src ${cspSource} data:; font-src ${cspSource}; connect-src ${cspSource}; worker-src blob:`;
  return [
    ...documentHead(csp, options.title ?? 'Parallel Profiler'),
    '</head>',
    '<body>',
    scriptText !== undefined ? `<script nonce="${nonce}">${escapeScriptForHtml(scriptText)}</script>` : `<script nonce="${nonce}" src="${escapeHtml(scriptUri!)}"></script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/**
 * Reads the report's JSON back out of a standalone file (round trips, `parprof report` on an
 * .html file). A gzip-compressed report needs `gunzip` (Node: zlib.gunzipSync). Undefined when
 * the page holds no report.
 */
export function reportJsonFromHtml(html: string, gunzip?: (bytes: Uint8Array) => Uint8Array): string | undefined {
  const first = scriptElement(html, REPORT_ELEMENT_ID, 0);
  if (!first) return undefined;
  const { tag, body } = first;
  const packed = tag.includes(`data-encoding="${PACKED_GZIP_BASE64}"`);
  if (!packed && !tag.includes(`data-encoding="${GZIP_BASE64}"`)) return body;
  if (!gunzip) throw new Error('the report in this page is gzip-compressed: pass gunzip (e.g. zlib.gunzipSync) to read it');
  const count = Number(/data-parts="(\d+)"/.exec(tag)?.[1] ?? 1);
  const parts = [body];
  let from = first.end;
  for (let k = 1; k < count; k++) {
    const part = scriptElement(html, reportPartId(k), from);
    if (!part) throw new Error(`the report in this page is cut short: part ${k} of ${count} (id ${reportPartId(k)}) is missing`);
    parts.push(part.body);
    from = part.end;
  }
  const bytes = gunzip(fromBase64(parts.join('')));
  return packed ? JSON.stringify(withPlainColumns(unpackReport(bytes))) : new TextDecoder().decode(bytes);
}

/** The <script> element with this id at or after `from`: its opening tag, its text, and where it ends. */
function scriptElement(html: string, id: string, from: number): { tag: string; body: string; end: number } | undefined {
  const at = html.indexOf(`id="${id}"`, from);
  if (at < 0) return undefined;
  const open = html.lastIndexOf('<script', at);
  const start = html.indexOf('>', at) + 1;
  const end = html.indexOf('</script>', start);
  if (open < 0 || start <= 0 || end < 0) return undefined;
  return { tag: html.slice(open, start), body: html.slice(start, end), end };
}

/**
 * The report with its µs times rounded to the ns (the clock's resolution): full-precision
 * doubles take twice the characters. Profile deltas are re-derived from rounded absolute times
 * so rounding never accumulates. The input is not modified.
 */
export function compactTimes(report: Report): Report {
  const ns = (v: number) => Math.round(v * 1000) / 1000;
  const s = report.spans;
  if (!s || !Array.isArray(s.start)) return report;
  return {
    ...report,
    spans: { ...s, enqueue: s.enqueue.map(ns), start: s.start.map(ns), end: s.end.map(ns) },
    profiles: report.profiles.map((tp) => {
      const p = tp.profile;
      const deltas = new Array<number>(p.timeDeltas.length);
      let exact = p.startTime;
      let previous = ns(p.startTime);
      for (let i = 0; i < deltas.length; i++) {
        exact += p.timeDeltas[i];
        const t = ns(exact);
        deltas[i] = ns(t - previous);
        previous = t;
      }
      return { ...tp, profile: { ...p, startTime: ns(p.startTime), endTime: ns(p.endTime), timeDeltas: deltas } };
    }),
  };
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * JSON inside <script> ends at the first `</script`, and `<!--` changes how the parser reads on;
 * escaping every `<` (only ever inside JSON strings) rules both out. U+2028/9 are escaped for old
 * JS parsers that treat them as line ends.
 */
function escapeJsonForHtml(json: string): string {
  return json.replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** A minified bundle may contain `</script` in a string or regex; `<\/` means the same there. */
function escapeScriptForHtml(js: string): string {
  return js.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

/** FNV-1a over the content, sampled on large inputs so a 100 MB report costs nothing. */
function contentNonce(...parts: string[]): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  for (const part of parts) {
    const step = Math.max(1, Math.floor(part.length / 65536));
    for (let i = 0; i < part.length; i += step) {
      const c = part.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 0x01000193);
      h2 = Math.imul(h2 ^ c, 0x5bd1e995) ^ (h2 >>> 15);
    }
    h1 = Math.imul(h1 ^ part.length, 0x01000193);
  }
  return `pp${(h1 >>> 0).toString(36)}${(h2 >>> 0).toString(36)}`;
}

function baseName(path: string): string {
  const parts = path.split(/[\\/]/);
  return parts[parts.length - 1] || path;
}
