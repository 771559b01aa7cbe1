// The host side of a report webview, shared by the report panel and the .parprof custom editor:
// strict CSP with a fresh nonce, resources only from the extension's dist/ and media/, and the
// ready/init handshake of src/protocol.ts.
import * as vscode from 'vscode';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { webviewHtml } from '../model/html-report';
import { typedColumns } from '../model/packed-report';
import { filesNamedBy, sourceAccess } from '../model/source-access';
import { asWebviewMessage, type HostToWebview, type InitOptions, type SliceInfo, type WebviewToHost } from '../protocol';
import type { LoadedReport, ReportFirst } from './reports';
import type { PackedView, WindowFeed } from './reportParser';
import type { Log } from './log';

/** What tests and the extension can ask a live report webview. */
export interface WebviewStatus {
  file: string;
  /** The webview posted `ready`. */
  ready: boolean;
  /** `init` with the report was posted after `ready`. */
  initSent: boolean;
  /** What was last posted: a run's progress, why there is no report, or the report. */
  showing?: 'status' | 'failed' | 'report';
  /** The text of the last `status` posted. */
  text?: string;
  /**
   * How the report was last sent: whole (`init`), as packed bytes (`init-packed`, large reports),
   * or as the address of its file for the webview to fetch (`init-packed-url`, a large report's own file).
   */
  sentAs?: 'init' | 'init-packed' | 'init-packed-url' | 'init-windowed';
  /** A windowed report: the window last sent, and how many were sent. */
  window?: SliceInfo;
  windowsSent?: number;
  /** When the last window came from the reader and was posted to the webview, ms since the epoch. */
  windowSentAt?: number;
  /** Asks for another window of a windowed report as the webview's Earlier / Later / Go do (its `slice` message). */
  askWindow?: (request: { from?: number; to?: number }) => void;
  /** Why the webview could not fetch the file (it was then sent the bytes). */
  unfetched?: string;
  /** With `init-packed`: how many bytes were sent (a packed file's own size when they are its bytes); with `init-packed-url`, the file's size. */
  sentBytes?: number;
  /** When the report was last posted, and (init-packed) when its metrics followed, ms since the epoch. */
  sentAt?: number;
  metricsSentAt?: number;
  /** What the webview said it drew first for the report last sent, and when (ms since the epoch). */
  drawn?: Omit<Extract<WebviewToHost, { type: 'drawn' }>, 'type'> & { at: number };
  /** The last error the webview reported (a report it could not read, a drawing error). */
  error?: string;
  /** A large report: what the webview said it drew of its reader's preview (`drawn` with stage 'preview'), and when. */
  previewDrawn?: Omit<Extract<WebviewToHost, { type: 'drawn' }>, 'type'> & { at: number };
  /** A large report: the task count of each lane of the preview posted to the webview (its reader's), in lane order. */
  previewTasks?: number[];
  /** A large report: when the host told the webview its reader validated it, ms since the epoch. */
  validatedAt?: number;
  /** A large report: why the answers its first screen showed from the file's header were not the report's own (report-answers.ts), when they were not. */
  answersMismatch?: string;
  /** A large report its reader found not valid (or stopped on): the reader's one line, also posted to the webview (`invalid`). */
  invalid?: string;
}

/** dist/webview.js, read once: every report and sweep page carries it inline (webviewPage). */
let bundle: { file: string; text: string } | undefined;

/**
 * The page of a report or sweep webview, with the views' bundle inline: the webview starts without
 * fetching anything. In code-server a webview's resource goes service worker → workbench → server
 * and back; for the first webview of a session, loading dist/webview.js that way was its largest step.
 */
export function webviewPage(webview: vscode.Webview, extensionUri: vscode.Uri, title: string): string {
  const file = vscode.Uri.joinPath(extensionUri, 'dist', 'webview.js').fsPath;
  if (bundle?.file !== file) bundle = { file, text: readFileSync(file, 'utf8') };
  return webviewHtml({ nonce: randomBytes(18).toString('base64'), cspSource: webview.cspSource, scriptText: bundle.text, title });
}

/**
 * With `reportFolder`, the folder of the report the panel shows is a resource root too (that
 * folder only, for that panel only): the webview fetches a large report's file itself. Set when the
 * panel is made: VS Code reloads a webview whose resource roots change.
 */
export function webviewOptions(extensionUri: vscode.Uri, reportFolder?: string): vscode.WebviewOptions {
  return {
    enableScripts: true,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media'),
      ...(reportFolder ? [vscode.Uri.file(reportFolder)] : [])],
  };
}

/** What a report view can ask of the extension besides showing the report. */
export interface ReportActions {
  /** Runs the script of the report in `file` again. */
  rerun(file: string): void;
  /** The view of `file` was sent its report at `at` (ms since the epoch). */
  initSent?(file: string, at: number): void;
}

/**
 * What a report view shows: a run's progress ("Recording x.js — 2 workers + main — 1.2 s"), its
 * report once there is one, or why there is none. A view opens on a run's report file as the run
 * starts, so the webview has loaded by the time the report exists (issue 12: the first webview of
 * a session takes seconds to start); the report then goes into the webview that is already ready.
 */
export type ViewContent =
  | { kind: 'status'; text: string; failed?: boolean }
  | { kind: 'report'; loaded: LoadedReport }
  /** A report read for the view, sent before its metrics, which follow (reports.ts ReportFirst). */
  | ReportFirst
  /** A large report: the host holds only its packed bytes and passes them on (reportParser.ts PackedView). */
  | { kind: 'packed'; view: PackedView };

/** The content of one report view, changing as its run goes on. Owned by its document. */
export class ViewSource implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<ViewContent>();
  readonly onDidChange = this.changed.event;

  /** The script the content is about: a file's view knows it once the file is read. */
  get script(): string {
    return this.scriptPath;
  }

  constructor(private value: ViewContent, private scriptPath: string) {}

  get content(): ViewContent {
    return this.value;
  }

  set(value: ViewContent, script?: string): void {
    this.value = value;
    if (script !== undefined) this.scriptPath = script;
    this.changed.fire(value);
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/**
 * Fills `webview` with the views and, once the webview says it is ready, sends what `source`
 * holds, then each change of it. Every listener goes into `disposables`, owned by the panel or
 * editor.
 */
export function hostReport(webview: vscode.Webview, extensionUri: vscode.Uri, file: string, source: ViewSource, log: Log,
  disposables: vscode.Disposable[], actions: ReportActions): WebviewStatus {
  const status: WebviewStatus = { file, ready: false, initSent: false };
  const createdAt = Date.now();
  webview.options = webviewOptions(extensionUri, path.dirname(file));
  let named: { content: ViewContent; files: Set<string> } | undefined;
  let sentAt = 0;
  /** Reports sent so far: metrics that come late go only with the last. */
  let sent = 0;
  /** The content whose file the webview could not fetch: sent as bytes since. */
  let unfetched: ViewContent | undefined;
  const send = (content: ViewContent) => {
    if (content.kind === 'status') {
      const message: HostToWebview = { type: 'status', text: content.text, failed: content.failed === true };
      status.showing = content.failed ? 'failed' : 'status';
      status.text = content.text;
      void webview.postMessage(message);
      return;
    }
    // Sent again on every `ready`: a webview that was reloaded asks again. Typed-array columns
    // cross as binary buffers; number arrays would go through JSON (seconds for 1M spans).
    // The metrics were computed with the report (the parser worker's analyze): the webview need not redo them.
    const options = { canOpenSource: true, canRerun: true };
    const mine = ++sent;
    status.showing = 'report';
    status.drawn = undefined;
    status.error = undefined;
    status.invalid = undefined;
    status.validatedAt = undefined;
    status.previewDrawn = undefined;
    status.previewTasks = undefined;
    status.metricsSentAt = undefined;
    status.answersMismatch = undefined;
    status.window = undefined;
    status.windowsSent = undefined;
    if (content.kind === 'report') {
      serving?.stop();
      serving = undefined;
      post({ type: 'init', report: typedColumns(content.loaded.report), metrics: content.loaded.metrics, options }, undefined);
      return;
    }
    if (content.kind === 'report-first') {
      serving?.stop();
      serving = undefined;
      // Drawn while its reader computes the metrics (0.4 s of a 1M-span report), which follow.
      post({ type: 'init', report: typedColumns(content.report), metricsFollow: true, options }, undefined);
      sendAnalysis(content.analysis, mine);
      return;
    }
    // A large report's own file is not carried at all: the webview fetches it as a resource and
    // checks it against the reader's SHA-256 (in code-server the one message of 72 MB at 10M spans
    // cost 3.5-5 s, deflated by the extension host and inflated by the browser in one piece). It
    // is posted as soon as the reader has read and hashed the file: the webview fetches and
    // decodes it while the reader validates it, and shows it once told `validated`.
    const view = content.view;
    // The window of an earlier report's reader is not asked for any more: that reader ends.
    if (serving && serving !== view.windows) serving.stop();
    serving = view.windows;
    if (view.windowed && view.windows) {
      sendWindowed(view, view.windows, mine, options);
      return;
    }
    if (view.sha256 !== undefined && unfetched !== content) {
      post({ type: 'init-packed-url', url: webview.asWebviewUri(vscode.Uri.file(file)).toString(), bytes: view.bytes, sha256: view.sha256, gzipped: view.gzipped,
        metricsFollow: true, validationFollows: true, options }, view.bytes);
    } else {
      // The bytes come from here once validated (a JSON report its reader packed, or a file the
      // webview could not fetch): the webview says so, and draws the preview meanwhile.
      void webview.postMessage({ type: 'report-coming', totalSpans: view.spans } satisfies HostToWebview);
    }
    // The reader's first screen, drawn while the file is fetched and decoded (the webview drops it once it shows the report).
    void view.preview.then((preview) => {
      if (mine !== sent || !preview) return;
      status.previewTasks = preview.lanes.map((l) => l.tasks);
      void webview.postMessage({ type: 'preview', preview } satisfies HostToWebview);
    });
    void view.validated.then(async (validated) => {
      if (mine !== sent) return;
      status.validatedAt = Date.now();
      void webview.postMessage({ type: 'validated' } satisfies HostToWebview);
      // The bytes themselves go only to a webview that could not fetch the file, once validated
      // (they are the packed report's, passed on as they came: the webview decodes them in a worker).
      if (view.sha256 !== undefined && unfetched !== content) return;
      const packed = await validated.packed;
      if (mine === sent) post({ type: 'init-packed', packed, gzipped: view.gzipped, metricsFollow: true, options }, packed.byteLength);
    }).catch((e: unknown) => refused(e, mine));
    sendAnalysis(view.analysis, mine);
  };
  /** A packed report its reader found not valid (or stopped on first): the webview says why and never shows it. */
  const refused = (e: unknown, mine: number) => {
    if (mine !== sent) return;
    const message = e instanceof Error ? e.message : String(e);
    status.showing = 'failed';
    status.invalid = status.text = message;
    log.channel.error(`report view: ${path.basename(file)} could not be opened: ${message}`);
    void webview.postMessage({ type: 'invalid', message } satisfies HostToWebview);
  };
  /** The metrics of a packed report, when its reader has computed them (not for a report sent since). */
  const sendAnalysis = (analysis: PackedView['analysis'], mine: number) => {
    void analysis.then((a) => {
      if (mine !== sent) return;
      status.metricsSentAt = Date.now();
      void webview.postMessage({ type: 'metrics', metrics: a?.metrics, findings: a?.findings } satisfies HostToWebview);
      if (a?.answersMismatch) {
        // The first screen showed the header's numbers; the report's views show their own, and the user is told they differed.
        status.answersMismatch = a.answersMismatch;
        log.channel.warn(`report view: ${path.basename(file)}: ${a.answersMismatch}`);
        void vscode.window.showWarningMessage(`Parallel Profiler: the first numbers shown for ${path.basename(file)} came from its header, and ${a.answersMismatch}. The report's views show its own.`);
      }
    });
  };
  /**
   * A report too large to show whole: the preview, then each window its reader cuts (the first
   * unasked, then one per `slice` request), with the whole run's metrics once the reader has them.
   */
  const sendWindowed = (view: PackedView, windows: WindowFeed, mine: number, options: InitOptions) => {
    status.sentAs = 'init-windowed';
    status.sentBytes = view.bytes;
    sentAt = status.sentAt = Date.now();
    void webview.postMessage({ type: 'init-windowed', bytes: view.bytes, totalSpans: view.spans, options } satisfies HostToWebview).then((ok) => {
      if (ok && !status.initSent) actions.initSent?.(file, Date.now());
      status.initSent = status.initSent || ok;
    });
    void view.preview.then((preview) => {
      if (mine !== sent || !preview) return;
      status.previewTasks = preview.lanes.map((l) => l.tasks);
      void webview.postMessage({ type: 'preview', preview } satisfies HostToWebview);
    });
    void view.validated.then(() => {
      if (mine === sent) status.validatedAt = Date.now();
    }, (e: unknown) => refused(e, mine));
    windows.onWindow((w) => {
      if (mine !== sent) return;
      status.window = w.slice;
      status.windowsSent = (status.windowsSent ?? 0) + 1;
      status.windowSentAt = Date.now();
      void webview.postMessage({ type: 'init-slice', packed: w.packed, gzipped: w.gzipped, slice: w.slice, options } satisfies HostToWebview);
    });
    windows.onRefused((why) => {
      if (mine !== sent) return;
      log.channel.warn(`report view: ${path.basename(file)}: no other window: ${why}`);
      void webview.postMessage({ type: 'window-refused', message: why } satisfies HostToWebview);
    });
    sendAnalysis(view.analysis, mine);
  };
  /** Another window of a windowed report, asked for by the webview's Earlier / Later / Go (`slice`). */
  const askWindow = (message: { from?: unknown; to?: unknown }) => {
    const content = source.content;
    if (content.kind !== 'packed' || !content.view.windows) return;
    const from = typeof message.from === 'number' && Number.isFinite(message.from) ? message.from : undefined;
    const to = typeof message.to === 'number' && Number.isFinite(message.to) ? message.to : undefined;
    if (!content.view.windows.request(to !== undefined ? { to } : { from })) {
      void webview.postMessage({ type: 'window-refused', message: 'the report\'s reader has stopped: reopen the report to see other windows' } satisfies HostToWebview);
    }
  };
  status.askWindow = askWindow;
  /** A windowed report's reader, kept while its view shows it (it holds the report: stopped when the view closes or shows another). */
  let serving: WindowFeed | undefined;
  disposables.push({ dispose: () => serving?.stop() });
  /** Posts the report (`bytes`: its size, for init-packed and init-packed-url) and records when. */
  const post = (init: Extract<HostToWebview, { type: 'init' | 'init-packed' | 'init-packed-url' }>, bytes: number | undefined) => {
    status.sentAs = init.type;
    status.sentBytes = bytes;
    sentAt = status.sentAt = Date.now();
    void webview.postMessage(init).then((ok) => {
      if (ok && !status.initSent) actions.initSent?.(file, Date.now());
      status.initSent = status.initSent || ok;
    });
  };
  disposables.push(source.onDidChange((content) => {
    if (status.ready) send(content);
  }));
  disposables.push(webview.onDidReceiveMessage((data: unknown) => {
    const message = asWebviewMessage(data);
    if (!message) {
      log.info(`report webview: ignored unknown message ${JSON.stringify(data)?.slice(0, 200)}`);
      return;
    }
    switch (message.type) {
      case 'ready': {
        if (!status.ready) log.info(`timing: the report view of ${path.basename(file)} was ready ${Date.now() - createdAt} ms after it was created`);
        status.ready = true;
        send(source.content);
        break;
      }
      case 'open-source': {
        const content = source.content;
        if (content.kind === 'status') break;
        // A report is untrusted input: open only a file it names, inside the workspace or the script's
        // folder, that exists; a large one's names are known once its reader validated it.
        const files = named?.content === content ? Promise.resolve(named.files)
          : content.kind === 'packed' ? content.view.validated.then((v) => new Set(v.sourceFiles))
            : Promise.resolve(filesNamedBy(content.kind === 'report-first' ? content.report : content.loaded.report));
        const script = content.kind === 'packed' ? content.view.meta.script : content.kind === 'report-first' ? content.report.meta.script : content.loaded.report.meta.script;
        const roots = [...(vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath), path.dirname(script)];
        void files.then((names) => {
          named = { content, files: names };
          const access = sourceAccess(message.file, names, roots);
          if (!access.ok) {
            log.info(`report webview: did not open a source file: ${access.why}`);
            void vscode.window.showWarningMessage(`Parallel Profiler: not opened: ${access.why}`);
            return;
          }
          return openSource(access.path, message.line, message.column);
        }).catch((e) => log.reportError(`Opening ${message.file} failed`, e));
        break;
      }
      case 'error':
        status.error = message.message;
        log.channel.error(`report webview: ${message.message}`);
        break;
      case 'state':
        break;
      case 'drawn': {
        const { type: _, ...drawn } = message;
        if (drawn.stage === 'preview') {
          status.previewDrawn = { ...drawn, at: Date.now() };
          log.info(`timing: the report view of ${path.basename(file)} drew its preview ${status.previewDrawn.at - sentAt} ms after the report was sent`);
          break;
        }
        status.drawn = { ...drawn, at: Date.now() };
        log.info(`timing: the report view of ${path.basename(file)} drew its ${drawn.view} ${status.drawn.at - sentAt} ms after the report was sent (${drawn.via}${drawn.decodedIn ? `, decoded in the ${drawn.decodedIn}` : ''})`);
        break;
      }
      case 'rerun':
        actions.rerun(file);
        break;
      case 'slice':
        askWindow(message);
        break;
      case 'packed-unfetched': {
        const content = source.content;
        if (content.kind !== 'packed' || unfetched === content) break;
        log.info(`report webview: could not fetch ${path.basename(file)} (${message.reason}): sending its bytes`);
        status.unfetched = message.reason;
        unfetched = content;
        send(content);
        break;
      }
      default:
        log.info(`report webview: unhandled message ${JSON.stringify(data).slice(0, 200)}`);
    }
  }));
  webview.html = webviewPage(webview, extensionUri, `Parallel Profiler: ${path.basename(source.script)}`);
  return status;
}

/** Opens a source location from the views; `line`/`column` are 1-based. V8 urls may be file:// URLs. */
export async function openSource(file: string, line: number, column: number): Promise<vscode.TextEditor> {
  const fsPath = file.startsWith('file://') ? fileURLToPath(file) : file;
  const { type } = await vscode.workspace.fs.stat(vscode.Uri.file(fsPath));
  if ((type & vscode.FileType.File) === 0) throw new Error(`${fsPath} is not a file`);
  const position = new vscode.Position(Math.max(0, line - 1), Math.max(0, column - 1));
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(fsPath));
  return vscode.window.showTextDocument(doc, { selection: new vscode.Range(position, position), viewColumn: vscode.ViewColumn.One, preview: true });
}
