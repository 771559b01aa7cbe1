// The standalone HTML report and the VS Code panel page (src/model/html-report.ts): pure string
// building, so checked here as strings; the browser suite opens them in chromium.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gunzipSync, gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { syntheticReport } from '../../src/model/synthetic';
import { validateReport } from '../../src/model/load';
import { compactTimes, reportJsonFromHtml, standaloneHtml, webviewHtml } from '../../src/model/html-report';

const report = syntheticReport({ threads: 2, spans: 300, profiles: 2, samplesPerProfile: 400, seed: 9 });
const BUNDLE = 'console.log("</script><script>alert(1)</script>"); /* <!-- */';

test('a standalone page holds the report and the bundle, under a strict CSP with one nonce', () => {
  const html = standaloneHtml(report, BUNDLE);
  const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)![1].replace(/&#39;/g, "'");
  const nonce = /'nonce-([^']+)'/.exec(csp)![1];
  // Workers only from blobs the page makes itself (the report decoder): nothing remote.
  assert.equal(csp, `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; img-src data:; worker-src blob:`);
  assert.ok(html.includes(`<script nonce="${nonce}">`));
  // The bundle cannot close its own <script> early.
  assert.equal(html.split('</script>').length - 1, 2);
  assert.doesNotMatch(html, /(src|href)="?(https?:)?\/\//i, 'nothing is loaded from a URL');
  assert.equal(standaloneHtml(report, BUNDLE), html, 'deterministic: same input, same file');
  assert.notEqual(standaloneHtml(report, BUNDLE + ' '), html, 'the nonce follows the content');
});

test('export -> import -> export is stable; times are kept to the ns', () => {
  const html = standaloneHtml(report, BUNDLE);
  const back = validateReport(JSON.parse(reportJsonFromHtml(html)!));
  assert.deepEqual(back, compactTimes(report));
  assert.equal(standaloneHtml(back, BUNDLE), html);
  for (let k = 0; k < report.spans.count; k++) assert.ok(Math.abs(back.spans.start[k] - report.spans.start[k]) <= 0.0005);
  // Profile deltas are rounded against absolute times: no drift at the end of a long profile.
  const p0 = report.profiles[0].profile;
  const q0 = back.profiles[0].profile;
  const last = (p: typeof p0) => p.timeDeltas.reduce((t, d) => t + d, p.startTime);
  assert.ok(Math.abs(last(p0) - last(q0)) < 0.001, `${last(p0)} vs ${last(q0)}`);
});

test('names that close a script or look like HTML survive as data', () => {
  const evil = syntheticReport({ threads: 1, spans: 10, profiles: 1, samplesPerProfile: 50 });
  evil.threads[1].name = '</script><img src=x onerror=alert(1)><!--';
  evil.meta.script = '/tmp/<b>"q"&.js';
  const html = standaloneHtml(evil, BUNDLE, { title: '<i>t</i>' });
  assert.ok(!html.includes('<img'));
  assert.ok(html.includes('<title>&#60;i&#62;t&#60;/i&#62;</title>'));
  const back = JSON.parse(reportJsonFromHtml(html)!);
  assert.equal(back.threads[1].name, evil.threads[1].name);
  assert.match(standaloneHtml(evil, BUNDLE), /<title>Parallel Profiler: &#60;b&#62;&#34;q&#34;&#38;\.js<\/title>/);
});

test('gzip + base64 embedding is several times smaller and reads back the same', () => {
  const plain = standaloneHtml(report, BUNDLE);
  const packed = standaloneHtml(report, BUNDLE, { gzip: (b) => gzipSync(b) });
  assert.ok(packed.length * 2 < plain.length, `${packed.length} vs ${plain.length}`);
  assert.match(packed, /<script type="application\/octet-stream" id="parprof-report" data-encoding="packed-gzip-base64" data-parts="1">[A-Za-z0-9+/=]+<\/script>/);
  assert.equal(reportJsonFromHtml(packed, (b) => gunzipSync(b)), reportJsonFromHtml(plain));
  assert.throws(() => reportJsonFromHtml(packed), /gzip-compressed: pass gunzip/);
  assert.equal(reportJsonFromHtml('<html></html>'), undefined);
});

test('the panel page loads the bundle by URI under the nonce and the webview CSP source', () => {
  const html = webviewHtml({ nonce: 'n0nce', cspSource: 'https://*.vscode-cdn.net', scriptUri: 'https://file+.vscode-resource.vscode-cdn.net/x/dist/webview.js?a=1&b=2' });
  assert.ok(html.includes(`script-src &#39;nonce-n0nce&#39;`));
  assert.ok(html.includes('style-src https://*.vscode-cdn.net &#39;nonce-n0nce&#39;'));
  assert.ok(html.includes('<script nonce="n0nce" src="https://file+.vscode-resource.vscode-cdn.net/x/dist/webview.js?a=1&#38;b=2"></script>'));
  assert.throws(() => webviewHtml({ nonce: 'a"b', cspSource: 'x', scriptUri: 'y' }), /nonce must be base64 characters only, got 'a"b'/);
  assert.throws(() => standaloneHtml(report, '', { nonce: "x' 'unsafe-inline" }), /nonce must be base64/);
});

test('the panel page can carry the bundle inline under the nonce, escaped, and needs exactly one of the two', () => {
  const html = webviewHtml({ nonce: 'n0nce', cspSource: 'https://*.vscode-cdn.net', scriptText: 'main("</script><!--")' });
  assert.ok(html.includes('<script nonce="n0nce">main("<\\/script><\\!--")</script>'), html);
  assert.equal(html.match(/<script/g)?.length, 1);
  assert.doesNotMatch(html, /src=/);
  assert.throws(() => webviewHtml({ nonce: 'n0nce', cspSource: 'x' }), /needs one of scriptUri and scriptText/);
  assert.throws(() => webviewHtml({ nonce: 'n0nce', cspSource: 'x', scriptUri: 'y', scriptText: 'z' }), /needs one of scriptUri and scriptText/);
});

test('a packed report split in parts reads back exactly, and export -> import -> export is stable', () => {
  const big = syntheticReport({ threads: 4, spans: 60_000, profiles: 2, samplesPerProfile: 20_000, seed: 3 });
  const gzip = (b: Uint8Array) => gzipSync(b);
  const html = standaloneHtml(big, BUNDLE, { gzip });
  const parts = Number(/data-parts="(\d+)"/.exec(html)![1]);
  assert.ok(parts > 1, `expected several parts, got ${parts}`);
  assert.ok(html.includes(`id="parprof-report-${parts - 1}"`));
  // The bundle first, then each part followed by the call that hands it over (webview/main.ts receiveParts).
  assert.ok(html.includes(`<body data-parprof-parts="${parts}">`));
  const bundleAt = html.indexOf('<script nonce=');
  assert.ok(bundleAt > 0 && bundleAt < html.indexOf('id="parprof-report"'));
  for (let k = 0; k < parts; k++) {
    const id = k === 0 ? 'parprof-report' : `parprof-report-${k}`;
    const end = html.indexOf('</script>', html.indexOf(`id="${id}"`)) + '</script>'.length;
    assert.ok(html.startsWith(`<script nonce="${/nonce="([^"]+)"/.exec(html)![1]}">__parprofPart(${k})</script>`, end), `part ${k} is followed by its call`);
  }
  // A JSON page: the report first, the bundle after it, no parts.
  const plain = standaloneHtml(big, BUNDLE);
  assert.ok(plain.includes('<body>\n<script type="application/json"'));
  assert.ok(plain.indexOf('<script nonce=') > plain.indexOf('id="parprof-report"'));
  const json = reportJsonFromHtml(html, (b) => gunzipSync(b))!;
  assert.equal(json, JSON.stringify(compactTimes(big)));
  assert.equal(standaloneHtml(validateReport(JSON.parse(json)), BUNDLE, { gzip }), html);
  const cut = html.replace(`id="parprof-report-${parts - 1}"`, 'id="other"');
  assert.throws(() => reportJsonFromHtml(cut, (b) => gunzipSync(b)), new RegExp(`part ${parts - 1} of ${parts} .* is missing`));
});

test('files written before packing (gzip-compressed JSON) still read back', () => {
  const json = JSON.stringify(compactTimes(report));
  const legacy = `<script type="application/octet-stream" id="parprof-report" data-encoding="gzip-base64">${gzipSync(json).toString('base64')}</script>`;
  assert.equal(reportJsonFromHtml(legacy, (b) => gunzipSync(b)), json);
});

test('a packed standalone page is ASCII up to its last report part, whatever the script\'s name; the views\' bundle is ASCII', () => {
  // One character outside Latin-1 before the parts (a title, the bundle) made Chromium parse the
  // whole page as 16-bit text: at 1M spans 70 MB more memory written and ~0.4 s more to parse.
  const named = { ...report, meta: { ...report.meta, script: '/w/日本語 µ−×.js' } };
  const html = standaloneHtml(named, BUNDLE, { gzip: (b) => gzipSync(b) });
  const lastPart = html.lastIndexOf('__parprofPart(');
  assert.ok(lastPart > 0);
  const outside = html.slice(0, lastPart).search(/[^\x00-\x7f]/);
  assert.equal(outside, -1, `a character outside ASCII at ${outside}: ${html.slice(outside - 30, outside + 10)}`);
  assert.match(html, /<title>Parallel Profiler: &#26085;&#26412;&#35486; &#181;&#8722;&#215;\.js<\/title>/, 'the name, as character references');
  const bundle = readFileSync(join(__dirname, '../../../dist/webview.js'), 'utf8');
  const at = bundle.search(/[^\x00-\x7f]/);
  assert.equal(at, -1, `dist/webview.js: a character outside ASCII at ${at}: ${bundle.slice(at - 30, at + 10)}`);
});
