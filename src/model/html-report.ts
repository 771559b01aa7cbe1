// The HTML around the webview bundle: one self-contained standalone report file, and the page of
// the VS Code panel. Pure string building (no I/O, no randomness), so the same report and bundle
// give the same file.
import type { Report } from './report';

/** Id of the <script type="application/json"> element that carries the report in a standalone file. */
export const REPORT_ELEMENT_ID = 'parprof-report';

export interface StandaloneOptions {
  /** Page title; defaults to 'Parallel Profiler: <script file name>'. */
  title?: string;
  /** CSP nonce; defaults to a hash of the content, so the output is deterministic. */
  nonce?: string;
}

/**
 * One HTML file holding the bundle and the report, that opens offline in any browser: a strict
 * CSP (nothing may be fetched), the bundle inline under a nonce, the report as JSON data.
 */
export function standaloneHtml(report: Report, bundleJs: string, options: StandaloneOptions = {}): string {
  const json = escapeJsonForHtml(JSON.stringify(report));
  const script = escapeScriptForHtml(bundleJs);
  const nonce = options.nonce ?? contentNonce(script, json);
  if (!/^[A-Za-z0-9+/=_-]+$/.test(nonce)) throw new Error(`nonce must be base64 characters only, got '${nonce}'`);
  const title = options.title ?? `Parallel Profiler: ${baseName(report.meta?.script ?? 'report')}`;
  const csp = `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; img-src data:`;
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="color-scheme" content="light dark">',
    `<title>${escapeHtml(title)}</title>`,
    '</head>',
    '<body>',
    `<script type="application/json" id="${REPORT_ELEMENT_ID}">${json}</script>`,
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
  /** `webview.asWebviewUri(dist/webview.js)` as a string. */
  scriptUri: string;
  title?: string;
}

/** The page of the VS Code webview panel; the report arrives later by message (`init`). */
export function webviewHtml(options: WebviewHtmlOptions): string {
  const { nonce, cspSource, scriptUri } = options;
  if (!/^[A-Za-z0-9+/=_-]+$/.test(nonce)) throw new Error(`nonce must be base64 characters only, got '${nonce}'`);
  const csp = `default-src 'none'; script-src 'nonce-${nonce}'; style-src ${cspSource} 'nonce-${nonce}'; img-src ${cspSource} data:; font-src ${cspSource}`;
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(options.title ?? 'Parallel Profiler')}</title>`,
    '</head>',
    '<body>',
    `<script nonce="${nonce}" src="${escapeHtml(scriptUri)}"></script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/** Reads the report back out of a standalone file (round trip for tests and `parprof report` on .html). */
export function reportJsonFromHtml(html: string): string | undefined {
  const open = `<script type="application/json" id="${REPORT_ELEMENT_ID}">`;
  const at = html.indexOf(open);
  if (at < 0) return undefined;
  const end = html.indexOf('</script>', at + open.length);
  if (end < 0) return undefined;
  // The escapes below are JSON string escapes, so JSON.parse undoes them by itself.
  return html.slice(at + open.length, end);
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
