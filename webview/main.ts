// Entry of the webview bundle (dist/webview.js). Two hosts:
// - VS Code: posts `ready`, then renders the report the extension sends in `init`;
// - a standalone HTML report: reads the report from <script id="parprof-report">.
import type { ReportAnswers } from '../src/model/report-answers';
import css from './style.css';
import { checkValidatedShape, validateReport, parseJson } from '../src/model/load';
import { GZIP_BASE64, PACKED_GZIP_BASE64, PART_CALL, REPORT_ELEMENT_ID, STREAMED_PARTS_ATTRIBUTE, reportPartId, SWEEP_ELEMENT_ID, fromBase64 } from '../src/model/html-report';
import type { Report } from '../src/model/report';
import type { RunMetrics } from '../src/model/analysis';
import { decodeFetched, decodePacked, decodePageParts, afterFirstPaint, decodedIn, fetchProgress, warmDecoder, type Analysis, type Decoded, type Source, type WarmDecoder } from './report-decoder';
import { gunzip } from './gunzip';
import { asHostMessage, type InitOptions, type SliceInfo, type ViewState, type WebviewToHost, type HostToWebview } from '../src/protocol';
import { decodeViewHash, encodeViewHash } from './view-hash';
import { formatCount } from '../src/model/units';
import { App } from './app';
import type { LaneIndex } from './layout-timeline';
import { renderComparePage, renderSweepPage } from './sweep-app';
import { el } from './dom';
import { previewScreen, type PreviewScreen } from './preview';
import type { ReportPreview } from '../src/model/report-preview';

interface VsCodeApi {
  postMessage(message: WebviewToHost): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare const acquireVsCodeApi: (() => VsCodeApi) | undefined;

const nonce = (document.currentScript as HTMLScriptElement | null)?.nonce ?? '';
const vscode = typeof acquireVsCodeApi === 'function' ? acquireVsCodeApi() : undefined;
let app: App | undefined;

function post(message: WebviewToHost): void {
  vscode?.postMessage(message);
}

function injectStyle(): void {
  // Inline <style> needs the page's nonce under the CSP (no 'unsafe-inline').
  const style = document.createElement('style');
  if (nonce) style.nonce = nonce;
  style.textContent = css;
  document.head.append(style);
}

function root(): HTMLElement {
  let r = document.getElementById('parprof-app');
  if (!r) {
    r = el('main', { id: 'parprof-app' });
    document.body.append(r);
  }
  return r;
}

function showError(message: string): void {
  endPreview();
  root().replaceChildren(el('div', { class: 'pp-error-box', role: 'alert' }, `Parallel Profiler could not show this report:\n${message}`));
  post({ type: 'error', message });
}

function savedState(): Partial<ViewState> {
  // A standalone page keeps its state in the URL hash (links, reloads); VS Code in the panel state.
  if (!vscode) return decodeViewHash(location.hash);
  const s = vscode.getState() as Partial<ViewState> | undefined;
  return s && typeof s === 'object' ? s : {};
}

/** Counts reports given (init, init-packed): a report decoded late does not replace a newer one. */
let given = 0;

function start(message: Extract<HostToWebview, { type: 'init' }>): void {
  given++;
  performance.mark('parprof:received');
  // From VS Code's host: a report its reader process validated (reportParserProcess.ts forView) or
  // one the extension built itself from a run (reports.ts loadedFrom: not untrusted input), which
  // the host analysed already; so only its shape is checked here, as init-packed's bytes are
  // (report-decoder.ts Source says why that is sound): validating 1M spans again took this thread
  // 65-100 ms before the first paint. A standalone page's own report is validated in full.
  const sent = givenMetrics(message.metrics);
  const later = !sent && message.metricsFollow === true ? followMetrics() : undefined;
  if (!later) metricsFollowing = undefined;
  show(vscode ? checkValidatedShape(message.report) : validateReport(message.report), 'init', message.options, sent, later);
}

/** Gives the metrics and findings of the last `init-packed` that said they would follow (its `metrics` message). */
let metricsFollowing: ((metrics: RunMetrics | undefined, findings: unknown) => void) | undefined;

/**
 * A packed report: decoded (and validated, as its `source` asks) in a worker, then shown. Its
 * metrics: given, or to follow from the host (`follow`), else computed by the worker after it
 * hands the report over.
 */
function startPacked(parts: Uint8Array[], gzipped: boolean, source: Source, options: InitOptions | undefined, metrics?: unknown, follow: boolean | Promise<Analysis | undefined> = false, warm?: WarmDecoder): void {
  const mine = ++given;
  performance.mark('parprof:received');
  const sent = givenMetrics(metrics);
  if (typeof follow === 'boolean') metricsFollowing = undefined;
  const later = sent ? undefined : typeof follow === 'boolean' ? (follow ? followMetrics() : undefined) : follow;
  decodePacked(parts, gzipped, !sent && !later, source, warm)
    .then((d) => { if (mine === given) show(d.report, 'init-packed', options, sent, later ?? d.analysis, d.lanes); }).catch((e: Error) => showError(e.message));
}

/** The metrics of the report given last, from the host's `metrics` message. */
function followMetrics(): Promise<Analysis | undefined> {
  return new Promise<Analysis | undefined>((resolve) => {
    metricsFollowing = (m, findings) => resolve(givenMetrics(m) && { metrics: m!, findings: Array.isArray(findings) && findings.every((f) => typeof f === 'string') ? findings : undefined });
  });
}

/** Whether the report shown was fetched by the webview itself (`init-packed-url`). */
let fetched = false;

/**
 * The host's word on the report given last, when it follows its `init-packed-url`: undefined
 * (`validated`: its reader validated the whole report) or the reader's one line (`invalid`).
 */
let verdictFollowing: ((invalid: string | undefined) => void) | undefined;

/**
 * A large report's file, fetched here part by part into the decoder's worker, which inflates the
 * parts as they arrive and decodes the file once it is checked against what the host's reader
 * read; the host sends the bytes instead (`init-packed`) if it cannot be fetched. With
 * `validationFollows` the reader is still validating the report: it is shown only once the host
 * says `validated`; on `invalid` the fetch stops and the page shows the reader's reason.
 */
function startFetched(message: Extract<HostToWebview, { type: 'init-packed-url' }>): void {
  const mine = ++given;
  endPreview();
  awaiting = { given: mine, bytes: message.bytes };
  performance.mark('parprof:fetch-asked');
  // Read by tests while the file arrives (report-decoder.ts fetchProgress).
  (window as unknown as { __parprofFetch?: unknown }).__parprofFetch = fetchProgress;
  // The metrics may come before the file has been fetched.
  const later = message.metricsFollow === true ? followMetrics() : undefined;
  if (!later) metricsFollowing = undefined;
  const stop = new AbortController();
  verdictFollowing = undefined;
  const verdict = message.validationFollows === true
    ? new Promise<string | undefined>((resolve) => { verdictFollowing = resolve; })
    : Promise.resolve(undefined);
  void verdict.then((invalid) => {
    performance.mark('parprof:reader-validated');
    if (invalid === undefined || mine !== given) return;
    given++;
    stop.abort();
    showError(invalid);
  });
  decodeFetched(message.url, { bytes: message.bytes, sha256: message.sha256 }, message.gzipped, !later, stop.signal, takeSpareDecoder()).then(async (got) => {
    if (mine !== given) return;
    if ('unfetched' in got) post({ type: 'packed-unfetched', reason: got.unfetched });
    else if ('changed' in got) showError(got.changed);
    else {
      performance.mark('parprof:decoded');
      // Decoded before the reader has validated it: shown only once it has.
      if (await verdict !== undefined || mine !== given) return;
      fetched = true;
      show(got.report, 'init-packed', message.options, undefined, later ?? got.analysis, got.lanes);
    }
  }).catch((e: Error) => { if (mine === given) showError(e.message); });
}

/**
 * A report too large to show whole (`init-windowed`): its reader's preview while it reads it, then
 * each window it cuts (`init-slice`), shown with the whole run's metrics (one `metrics` message,
 * for every window).
 */
let windowed: { given: number; analysis: Promise<Analysis | undefined>; overview?: ReportPreview; decoder?: WarmDecoder } | undefined;

function startWindowed(message: Extract<HostToWebview, { type: 'init-windowed' }>): void {
  const mine = ++given;
  endPreview();
  awaiting = { given: mine, bytes: 0, windowed: true };
  verdictFollowing = undefined;
  windowed?.decoder?.worker?.terminate();
  // The first window's decoder starts now, while the reader reads the report.
  windowed = { given: mine, analysis: followMetrics(), decoder: warmDecoder() };
  root().replaceChildren(el('div', { class: 'pp-status', role: 'status' },
    `Reading the report (${message.totalSpans.toLocaleString('en-US')} tasks): it opens a window of time at a time.`));
}

/** `report-coming`: the report's bytes follow from the host (`init-packed`); its reader's preview is drawn meanwhile. */
function startComing(totalSpans: unknown): void {
  const mine = ++given;
  endPreview();
  awaiting = { given: mine, bytes: 0, coming: true };
  verdictFollowing = undefined;
  const tasks = typeof totalSpans === 'number' && Number.isSafeInteger(totalSpans) && totalSpans >= 0 ? ` (${formatCount(totalSpans)} tasks)` : '';
  root().replaceChildren(el('div', { class: 'pp-status', role: 'status' }, `Reading the report${tasks}: its reader sends it to this view.`));
}

function startSlice(message: Extract<HostToWebview, { type: 'init-slice' }>): void {
  if (!windowed || windowed.given !== given) return;
  const mine = given;
  const analysis = windowed.analysis;
  performance.mark('parprof:received');
  const slice = message.slice;
  // A window is a report of its own, cut by the host's reader from the report it validated: its
  // bytes are the reader's, as `init-packed`'s are (Source 'host': their shape checked, the values
  // not again). Decoded in a worker started beforehand; the next window's starts now.
  const decoder = windowed.decoder;
  windowed.decoder = warmDecoder();
  decodePacked([message.packed], message.gzipped === true, false, 'host', decoder)
    .then((d) => { if (mine === given) show(d.report, 'init-packed', message.options, undefined, analysis, d.lanes, slice); })
    .catch((e: Error) => { if (mine === given) showError(e.message); });
}

/** Metrics the host sent with the report (it computed them from this report), if they look like metrics. */
function givenMetrics(m: unknown): RunMetrics | undefined {
  const x = m as Partial<RunMetrics> | undefined;
  return x && typeof x === 'object' && Array.isArray(x.threads) && typeof x.wallMs === 'number' ? (x as RunMetrics) : undefined;
}

/** What the standalone page showed last: shown again at the view a changed URL hash names (a link, an edit, Back). */
let lastShown: (() => void) | undefined;

function show(validated: Report, via: 'init' | 'init-packed', options: InitOptions | undefined, metrics: RunMetrics | undefined, analysisLater?: Promise<Analysis | undefined>, lanes?: LaneIndex[], slice?: SliceInfo): void {
  if (!vscode) lastShown = () => show(validated, via, options, metrics, analysisLater, lanes, slice);
  performance.mark('parprof:validated');
  // Where the user panned or zoomed the preview, the timeline opens at that window.
  const zoomed = previewShown?.window();
  const recorded = previewAnswers;
  // A move in a window's bar (Later, Start at...) keeps the keyboard where it was, in the next window's bar.
  const active = document.activeElement as HTMLElement | null;
  const barFocus = slice && active?.closest('.pp-window') ? active.id : undefined;
  endPreview();
  // A window opens whole on the timeline (not at a zoom kept from another window).
  const initial = { ...savedState(), ...(options?.view ? { view: options.view } : {}), ...(zoomed ? { window: zoomed } : {}), ...(slice ? { window: { from: slice.from, to: slice.to }, range: undefined } : {}) };
  app = new App(root(), validated, {
    title: options?.title,
    canOpenSource: !!vscode && options?.canOpenSource !== false,
    canRerun: !!vscode && options?.canRerun === true,
    metrics,
    analysisLater,
    lanes,
    initial,
    recorded: recorded ?? (slice ? app?.store.recorded : undefined),
    slice,
    overview: slice ? windowed?.overview : undefined,
    post,
    saveState: (state) => {
      if (!vscode) {
        history.replaceState(null, '', encodeViewHash(state));
        return;
      }
      vscode.setState(state);
      post({ type: 'state', state });
    },
  });
  // Read by tests and the benchmark: the app, and where a packed report was decoded ('worker' or 'page').
  (window as unknown as { __parprof?: unknown }).__parprof = { app, decodedIn };
  if (barFocus) focusInBar(barFocus);
  // Told once the frame is shown: the message reads the canvas back (paintedPixels), which held
  // the first frame of a 1M-span report ~16 ms when done in the task that drew it.
  if (vscode && app.firstPaintMs >= 0) {
    const shown = app;
    afterFirstPaint(() => post(drawnMessage(shown, via, slice ? 'slice' : 'full')));
  }
}

/** Focuses the control `id` of the window bar, or the nearest one that can take it (Later on the last window: Earlier). */
function focusInBar(id: string): void {
  const order = id === 'window-earlier' ? ['window-earlier', 'window-later'] : id === 'window-later' ? ['window-later', 'window-earlier'] : [id];
  for (const candidate of [...order, 'window-at']) {
    const target = document.getElementById(candidate) as HTMLButtonElement | HTMLInputElement | null;
    if (target && !target.disabled) { target.focus(); return; }
  }
}

/** The fetched report still on its way (given, its file's length), whose preview may be shown meanwhile. */
let awaiting: { given: number; bytes: number; windowed?: boolean; coming?: boolean } | undefined;
/** The preview on screen: its progress updates stop when it goes. */
let previewTimer: ReturnType<typeof setInterval> | undefined;
/** The preview on screen, while it is. */
let previewShown: PreviewScreen | undefined;
/** The header's answers the preview on screen shows, if any: the report's headline keeps them until its own metrics come. */
let previewAnswers: ReportAnswers | undefined;

/**
 * The reader's preview of the report on its way (`preview`): drawn at once as the timeline's
 * lanes, with how much of the file has arrived, until the report (or why not) replaces it.
 */
function showPreview(preview: ReportPreview): void {
  // A windowed report keeps it: its window bar draws the whole run small.
  if (windowed && windowed.given === given) windowed.overview = preview;
  if (!awaiting || awaiting.given !== given) return;
  const bytes = awaiting.bytes;
  const screen = previewScreen(preview, root().clientWidth || window.innerWidth);
  root().replaceChildren(screen.element);
  previewShown = screen;
  previewAnswers = preview.answers;
  // Read by tests: the window the preview shows.
  (window as unknown as { __parprofPreview?: unknown }).__parprofPreview = { window: () => screen.window() };
  if (awaiting.windowed) screen.say('the report\'s reader is reading it: a window of it opens here once it is validated');
  else if (awaiting.coming) screen.say('the report\'s reader is preparing it for this view: the report opens here once it has come');
  else {
    const update = () => screen.progress(fetchProgress.relayed / Math.max(1, bytes));
    update();
    previewTimer = setInterval(update, 250);
  }
  performance.mark('parprof:preview-drawn');
  post({ type: 'drawn', stage: 'preview', view: 'timeline', via: 'init-packed', laneTasks: screen.laneTasks(), paintedPixels: screen.paintedPixels(), steps: marks(), headline: screen.headline() });
}

function endPreview(): void {
  awaiting = undefined;
  previewShown = undefined;
  previewAnswers = undefined;
  if (previewTimer !== undefined) clearInterval(previewTimer);
  previewTimer = undefined;
}

/** When each step of showing the report happened (the page's parprof: marks), ms since the epoch: the host's clock, for its timing. */
function marks(): Record<string, number> {
  return Object.fromEntries(performance.getEntriesByType('mark').filter((m) => m.name.startsWith('parprof:'))
    .map((m) => [m.name.slice(8), Math.round(performance.timeOrigin + m.startTime)]));
}

/** What the first screen shows, once drawn: for the host's timing log and the integration tests. */
function drawnMessage(shown: App, via: 'init' | 'init-packed', stage: 'full' | 'slice'): WebviewToHost {
  const laneTasks = [...document.querySelectorAll<HTMLElement>('#timeline-lanes li[data-tasks]')].map((li) => Number(li.dataset.tasks));
  const canvas = document.querySelector<HTMLCanvasElement>('#panel-timeline canvas');
  let paintedPixels = 0;
  const pixels = canvas && canvas.width > 0 && canvas.height > 0 ? canvas.getContext('2d')?.getImageData(0, 0, canvas.width, canvas.height).data : undefined;
  if (pixels) for (let k = 3; k < pixels.length; k += 4) if (pixels[k] !== 0) paintedPixels++;
  const steps = marks();
  return { type: 'drawn', stage, view: shown.store.view, via, decodedIn: via === 'init-packed' ? decodedIn : undefined, laneTasks, paintedPixels, steps, fetched: via === 'init-packed' ? fetched : undefined };
}

/** In VS Code a sweep or comparison page offers Export… (the host writes the file); a standalone page is the export already. */
function exportPage(): (() => void) | undefined {
  return vscode ? () => post({ type: 'export-page' }) : undefined;
}

function onMessage(data: unknown): void {
  const message = asHostMessage(data);
  if (!message) {
    console.warn('[parprof] unknown message from the host', data);
    return;
  }
  try {
    switch (message.type) {
      case 'init': takeSpareDecoder()?.worker?.terminate(); start(message); break;
      // From VS Code's host: bytes its report reader validated (report-decoder.ts Source).
      case 'init-packed': fetched = false; startPacked([message.packed], message.gzipped === true, vscode ? 'host' : 'page', message.options, message.metrics, message.metricsFollow === true, takeSpareDecoder()); break;
      // Bytes the host's reader validated too, once their length and SHA-256 match.
      case 'init-packed-url': startFetched(message); break;
      // A report too large to show whole: its reader's windows of it follow.
      case 'init-windowed': takeSpareDecoder()?.worker?.terminate(); startWindowed(message); break;
      // A report whose bytes the host posts once its reader has packed them: its preview meanwhile.
      case 'report-coming': startComing(message.totalSpans); break;
      case 'init-slice': startSlice(message); break;
      case 'window-refused': app?.windowRefused(message.message); break;
      case 'validated': verdictFollowing?.(undefined); verdictFollowing = undefined; break;
      case 'preview': showPreview(message.preview); break;
      // Not valid: the reader's reason, whether or not a report waits for the verdict (the host sends nothing else for it).
      case 'invalid':
        if (verdictFollowing) verdictFollowing(message.message);
        else { given++; showError(message.message); }
        verdictFollowing = undefined;
        break;
      case 'metrics': metricsFollowing?.(message.metrics, message.findings); metricsFollowing = undefined; break;
      case 'focus-range':
        app?.store.setRange({ from: message.from, to: message.to });
        app?.store.setWindow(message.from, message.to);
        break;
      case 'show-view': app?.store.setView(message.view); break;
      case 'focus-region': app?.store.showRegion(message.region); break;
      // Sweep / A-B reports and comparisons: pages of their own (webview/sweep-app.ts).
      case 'init-sweep': renderSweepPage(root(), message.page, exportPage()); break;
      case 'init-compare': renderComparePage(root(), message.compare, message.base, message.next, exportPage()); break;
      // A run in progress, or why it left no report; text only (it names user files).
      case 'status':
        root().replaceChildren(el('div', message.failed ? { class: 'pp-error-box', role: 'alert' } : { class: 'pp-status', role: 'status' }, message.text));
        break;
    }
  } catch (e) {
    showError((e as Error).message);
  }
}

/**
 * In VS Code, the decoder's worker started with the page for a large report to come (init-packed,
 * init-packed-url): its start-up (~0.1 s) overlaps the host's reading the report, not the page's
 * decoding it. A report that needs none (init, a windowed one's own) ends it.
 */
let spareDecoder: WarmDecoder | undefined;

function takeSpareDecoder(): WarmDecoder | undefined {
  const d = spareDecoder;
  spareDecoder = undefined;
  return d;
}

function main(): void {
  injectStyle();
  window.addEventListener('error', (e) => post({ type: 'error', message: e.message }));
  if (vscode) {
    spareDecoder = warmDecoder();
    window.addEventListener('message', (e) => onMessage(e.data));
    post({ type: 'ready' });
    return;
  }
  const page = document.getElementById(SWEEP_ELEMENT_ID);
  if (page) return startPage(page);
  // The page writes its state with history.replaceState, which fires no hashchange: one that fires
  // is the user's (an edited or pasted hash, Back or Forward across hashes): the view it names.
  window.addEventListener('hashchange', () => {
    const again = lastShown;
    if (!again) return;
    try {
      again();
    } catch (e) {
      showError((e as Error).message);
    }
  });
  const streamed = document.body?.getAttribute(STREAMED_PARTS_ATTRIBUTE);
  if (streamed !== null && streamed !== undefined) return receiveParts(Number(streamed));
  const data = document.getElementById(REPORT_ELEMENT_ID);
  if (!data) return showError(`no <script id="${REPORT_ELEMENT_ID}"> with a report in this page`);
  performance.mark('parprof:script');
  readEmbedded(data).then((report) => {
    if (!report) return;
    performance.mark('parprof:parsed');
    onMessage({ type: 'init', report });
  }, (e: Error) => showError(e.message));
}

/**
 * A standalone page whose bundle comes before its `count` parts (html-report.ts): the inline call
 * after each part hands it over once the browser has parsed it, to the decoder's worker at once,
 * which inflates and unpacks it while the browser parses the next; the report shows once the last
 * part is in and the whole report is validated. A page that ends before its last part says so.
 */
function receiveParts(count: number): void {
  performance.mark('parprof:script');
  const scope = window as unknown as Record<string, unknown>;
  if (!(Number.isInteger(count) && count > 0)) return showError(`this page's report says it has ${count} parts`);
  // One part: decoded as a whole, in a worker only when it is worth starting one (decodePacked).
  let decoding: ReturnType<typeof decodePageParts> | undefined;
  // Read by tests: how many parts were handed over, and whether the first was handed over before
  // the browser had parsed the last (the decoding overlaps the parsing).
  const progress = { handed: 0, firstBeforeLastParsed: false };
  (window as unknown as { __parprofParts?: unknown }).__parprofParts = progress;
  let next = 0;
  let failed = false;
  const fail = (message: string) => {
    failed = true;
    delete scope[PART_CALL];
    showError(message);
  };
  scope[PART_CALL] = (k: number) => {
    if (failed || next >= count) return;
    if (k !== next) return fail(`the report in this page is out of order: part ${k} came where part ${next} of ${count} was expected`);
    const id = reportPartId(k);
    const part = document.getElementById(id);
    if (!part) return fail(`the report in this page is cut short: part ${k} of ${count} (id ${id}) is missing`);
    try {
      if (count === 1) {
        next = 1;
        delete scope[PART_CALL];
        performance.mark('parprof:decoded');
        progress.handed = 1;
        const bytes = fromBase64(part.textContent ?? '');
        part.textContent = '';
        return startPacked([bytes], true, 'page', undefined);
      }
      decoding ??= decodePageParts(true);
      decoding.add(part.textContent ?? '');
    } catch (e) {
      return fail(`the report in this page is damaged: part ${k} of ${count} is not base64 (${(e as Error).message})`);
    }
    if (k === 0) progress.firstBeforeLastParsed = count > 1 && document.getElementById(reportPartId(count - 1)) === null;
    progress.handed++;
    if (++next < count) return;
    delete scope[PART_CALL];
    performance.mark('parprof:decoded');
    // Where the worker could not decode them, the page does, from its parts' text.
    const texts = () => Array.from({ length: count }, (_, q) => {
      try {
        return fromBase64(document.getElementById(reportPartId(q))?.textContent ?? '');
      } catch (e) {
        throw new Error(`the report in this page is damaged: part ${q} of ${count} is not base64 (${(e as Error).message})`);
      }
    });
    startDecoded(decoding!.end(texts).finally(() => {
      // The parts' text is a copy of the report: let it go.
      for (let q = 0; q < count; q++) document.getElementById(reportPartId(q))?.replaceChildren();
    }));
  };
  document.addEventListener('DOMContentLoaded', () => {
    if (!failed && next < count) fail(`the report in this page is cut short: ${next} of its ${count} parts came`);
  }, { once: true });
}

/**
 * A report decoded from a standalone page's parts: shown; its metrics from the decoder's worker,
 * after the first paint, with its full check: a report that fails it is replaced by why.
 */
function startDecoded(decoded: Promise<Decoded>): void {
  const mine = ++given;
  performance.mark('parprof:received');
  metricsFollowing = undefined;
  decoded.then((d) => {
    if (mine !== given) return;
    show(d.report, 'init-packed', undefined, undefined, d.analysis, d.lanes);
    void d.refused?.then((why) => {
      if (mine !== given) return;
      lastShown = undefined;
      showError(why);
    });
  }).catch((e: Error) => showError(e.message));
}

/** A standalone sweep / A-B or comparison page: its data is JSON (html-report.ts standalonePageHtml). */
function startPage(element: HTMLElement): void {
  let data: unknown;
  try {
    data = parseJson(element.textContent ?? '');
  } catch (e) {
    return showError((e as Error).message);
  }
  const d = data as { compare?: unknown; base?: string; next?: string };
  onMessage(element.dataset.page === 'compare' ? { type: 'init-compare', compare: d.compare, base: d.base, next: d.next } : { type: 'init-sweep', page: data });
}

/**
 * The report embedded in a standalone page: JSON, gzip-compressed JSON in base64 (older files),
 * or a gzip-compressed packed report in base64, which is inflated and decoded in a worker and
 * shown from there (then this resolves to undefined).
 */
async function readEmbedded(data: HTMLElement): Promise<unknown> {
  let text = data.textContent ?? '';
  // The text is a copy of the report; dropping it lets a large report's JSON be collected.
  data.textContent = '';
  const encoding = data.dataset.encoding;
  if (encoding !== GZIP_BASE64 && encoding !== PACKED_GZIP_BASE64) return parseJson(text);
  // Large reports come in parts (html-report.ts PART_CHARS); each decodes on its own.
  const parts: Uint8Array[] = [fromBase64(text)];
  const count = Number(data.dataset.parts ?? 1);
  for (let k = 1; k < count; k++) {
    const part = document.getElementById(reportPartId(k));
    if (!part) throw new Error(`the report in this page is cut short: part ${k} of ${count} (id ${reportPartId(k)}) is missing`);
    parts.push(fromBase64(part.textContent ?? ''));
    part.textContent = '';
  }
  text = '';
  performance.mark('parprof:decoded');
  if (encoding === PACKED_GZIP_BASE64) {
    startPacked(parts, true, 'page', undefined);
    return undefined;
  }
  const inflated = await gunzip(parts);
  performance.mark('parprof:inflated');
  return parseJson(new TextDecoder().decode(inflated));
}

main();
