// Runs a script under the profiler from VS Code: trust check, progress with Cancel, status bar,
// streamed output, then the results (panel, editor annotations, Runs view). The recording itself
// is the runner's, the same one the CLI uses.
import * as vscode from 'vscode';
import * as path from 'node:path';
import { availableParallelism } from 'node:os';
import { mkdir } from 'node:fs/promises';
import { runProfiled } from '../runner/run';
import type { Schedule } from '../model/report';
import { CONTEXT_KEYS, COMMANDS } from './surface';
import { readSettings } from './settings';
import { loadedFrom, type LoadedReport, type ReportSession } from './reports';
import type { Log } from './log';
import type { ViewContent } from './webviewHost';
import { runEnd, runEndText } from '../model/run-views';

/** What to profile; anything left out comes from the settings. */
export interface ProfileRequest {
  /** Absolute path of the script. */
  script: string;
  args?: string[];
  threads?: number;
  schedule?: Schedule;
  /** µs. */
  sampleIntervalUs?: number;
  /** Run only this declared workload (PARPROF_WORKLOAD). */
  workload?: string;
}

/** What a finished (or cancelled) run left. */
export interface ProfileOutcome extends LoadedReport {
  cancelled: boolean;
}

/**
 * Called with each finished run, e.g. to open the panel and annotate editors. `steps` takes the
 * ms each step of the listener took, for the run's timings.
 */
export type RunListener = (outcome: ProfileOutcome, settings: { openReportAfterRun: boolean }, steps: Record<string, number>) => void | Promise<void>;

/** A run that has started: where its report will be, and what a view of it may show meanwhile. */
export interface RunStart {
  script: string;
  /** The report file the run will write (unless writing it fails: see RunResult.unwritten). */
  file: string;
  /** Workers of a pool the script creates without a size. */
  defaultThreads: number;
}

/** Where a run shows its progress, then its report or why there is none. */
export interface RunView {
  /** `ended`: the run is over and left no report (it failed, or was cancelled before it started); `content` says why. */
  show(content: ViewContent, ended?: boolean): void;
  /**
   * Resolves true once the view's webview is up (it posted `ready`), false when `signal` aborts
   * first or the view could not be opened. The script starts only then (or after VIEW_START_CAP_MS).
   */
  ready?(signal: AbortSignal): Promise<boolean>;
}

/**
 * Called as a run starts (after the trust check, before the process). Returns where to show the
 * run's progress and then its report, or undefined (no view, e.g. openReportAfterRun is off).
 */
export type RunStartListener = (run: RunStart, settings: { openReportAfterRun: boolean }) => RunView | undefined;

/**
 * How long a run waits for its report view's webview before starting the script anyway, ms. A
 * webview that starts while the script runs shares the cores with it: in code-server the first
 * one of a session took 2.4-4.5 s from its frame to its service worker while a 1.9-2.7 s script
 * held both cores, so the report reached the view 2.5-3.1 s after the exit, and the script's own
 * numbers were taken beside the workbench's start-up. Waiting first removes both. With no script
 * running, the session's first view was up 3.9-4.1 s after the run asked for it (UI test, load
 * 6-7; 6.6 s in the extension-host suite at load 4.5), a later one 0.5-1.4 s: the cap leaves the
 * first room, and bounds the wait on a workbench that is stuck.
 */
const VIEW_START_CAP_MS = 6000;

/** What the progress notification and the view say while the run waits for its view. */
export const STARTING_VIEW_TEXT = 'Starting the report view…';

/** "Profiling x.js cancelled before the script started; there is no report": a cancel during the wait for the view. */
export function cancelledBeforeStartText(script: string): string {
  return `Profiling ${path.basename(script)} cancelled before the script started; there is no report`;
}

/** "Recording x.js — default pool: 2 workers + main — 1.2 s" (the thread count worded as everywhere: "2 workers + main"). */
export function recordingText(script: string, defaultThreads: number, elapsedMs: number): string {
  const workers = `${defaultThreads} worker${defaultThreads === 1 ? '' : 's'}`;
  return `Recording ${path.basename(script)} — default pool: ${workers} + main — ${(Math.max(0, elapsedMs) / 1000).toFixed(1)} s`;
}

/** How often a run's view updates its elapsed time, ms. */
const PROGRESS_EVERY_MS = 200;

/** Where the time of a run went, ms (logged, and kept for tests and the report of issue 12). */
export interface RunTimings {
  script: string;
  /** The report file. */
  file: string;
  /** Command → the runner starts the process (settings, report folder, the wait for the report view). */
  beforeSpawnMs: number;
  /** The script's process, start to exit (Report.meta.durationUs). */
  processMs: number;
  /** Process start → its main thread ran its first line (Node start and our preload). */
  mainStartMs: number;
  /** Process start → the first pool task started (includes worker start, the profiler's sessions, esbuild for .ts). */
  firstTaskMs: number;
  /** Process exit → the report is built and written. */
  reportMs: number;
  /** Metrics of the report (analyze), after it was written. */
  analyzeMs: number;
  /** Report written → the listeners (view opened, editors annotated) are done. */
  showMs: number;
  /** ms of each listener step (e.g. view, annotate), which run side by side. */
  steps: Record<string, number>;
  /** Report written → the report view was sent the report (undefined until then, or when no view opened). */
  viewReadyMs?: number;
  /**
   * Before the spawn, the wait for the run's report view to be up (part of beforeSpawnMs), ms, and
   * how it ended: the view was ready, the cap passed first, or nothing waited (no view).
   */
  viewWaitMs: number;
  viewWait: 'ready' | 'cap' | 'none';
}

export const UNTRUSTED_MESSAGE = 'Parallel Profiler does not run scripts in an untrusted workspace: profiling executes the ' +
  "script's code. Trust the workspace to profile; reports can still be opened and viewed.";

export class Profiler implements vscode.Disposable {
  private readonly running = new Set<AbortController>();
  private readonly statusItem: vscode.StatusBarItem;
  private readonly listeners: RunListener[] = [];
  private readonly startListeners: RunStartListener[] = [];
  /** Requests cancelled while their view started: no script ran (wasCancelledBeforeStart). */
  private readonly cancelledBeforeStart = new WeakSet<ProfileRequest>();
  /** Refusal messages shown this session (most recent last), for tests and diagnostics. */
  readonly refusals: string[] = [];
  /** Timings of this session's runs, oldest first (at most 20). */
  readonly timings: RunTimings[] = [];

  constructor(private readonly log: Log, private readonly session: ReportSession) {
    this.statusItem = vscode.window.createStatusBarItem('parallelProfiler.running', vscode.StatusBarAlignment.Left, 100);
    this.statusItem.name = 'Parallel Profiler';
    this.statusItem.command = COMMANDS.stopProfiling.id;
  }

  onDidFinish(listener: RunListener): void {
    this.listeners.push(listener);
  }

  onDidStart(listener: RunStartListener): void {
    this.startListeners.push(listener);
  }

  /** Whether `profile(request)` resolved undefined because it was cancelled before its script started (not a failure). */
  wasCancelledBeforeStart(request: ProfileRequest): boolean {
    return this.cancelledBeforeStart.has(request);
  }

  get isRunning(): boolean {
    return this.running.size > 0;
  }

  /** Refuses (with the reason) when the workspace is untrusted; true when running is allowed. */
  checkTrust(): boolean {
    if (vscode.workspace.isTrusted) return true;
    this.log.info(`refused to run: ${UNTRUSTED_MESSAGE}`);
    this.refusals.push(UNTRUSTED_MESSAGE);
    void vscode.window.showWarningMessage(UNTRUSTED_MESSAGE, 'Manage Workspace Trust').then((choice) => {
      if (choice) void vscode.commands.executeCommand('workbench.trust.manage');
    }, () => undefined);
    return false;
  }

  /** Stops every run in progress; each keeps the partial report. */
  stopAll(): number {
    const n = this.running.size;
    for (const run of this.running) run.abort();
    return n;
  }

  /**
   * Profiles with a Cancel-able progress notification. Resolves undefined when refused or failed
   * (the failure has been reported), else with the report (partial when cancelled).
   */
  async profile(request: ProfileRequest, token?: vscode.CancellationToken): Promise<ProfileOutcome | undefined> {
    if (!this.checkTrust()) return undefined;
    const title = `Profiling ${path.basename(request.script)}${request.workload ? ` (${request.workload})` : ''}`;
    return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true },
      (progress, progressToken) => this.run(request, [progressToken, token], progress));
  }

  /** Runs the script of a report again with the report's threads, schedule and arguments. */
  rerun(report: LoadedReport['report']): Promise<ProfileOutcome | undefined> {
    const { script, args, pool, sampleIntervalUs } = report.meta;
    return this.profile({ script, args, threads: pool.threads, schedule: pool.schedule, sampleIntervalUs });
  }

  private async run(request: ProfileRequest, tokens: (vscode.CancellationToken | undefined)[],
    progress: vscode.Progress<{ message?: string }>): Promise<ProfileOutcome | undefined> {
    const commandAt = Date.now();
    const settings = readSettings(vscode.Uri.file(request.script));
    const abort = new AbortController();
    const disposables: vscode.Disposable[] = [];
    for (const t of tokens) if (t) disposables.push(t.onCancellationRequested(() => abort.abort()));
    this.running.add(abort);
    this.updateRunningState(path.basename(request.script));
    const out = this.log.scriptOutput;
    const name = path.basename(request.script);
    out.appendLine(`▶ ${settings.node} ${request.script}${request.args?.length ? ` ${request.args.join(' ')}` : ''}`);
    // The output takes half the window: it opens by itself only when a run fails, unless asked.
    if (settings.revealOutput === 'always') out.show(true);
    const planned = reportPath(settings.reportFolder, request);
    const defaultThreads = request.threads ?? settings.threads ?? availableParallelism();
    // The view opens now, and the script starts once its webview is up (seconds, for the first of
    // a session): the report then goes into a view that is ready the moment it exists.
    const views = this.startListeners.map((l) => l({ script: request.script, file: planned, defaultThreads }, settings)).filter((v) => v !== undefined);
    const show = (content: ViewContent, ended?: boolean) => {
      for (const v of views) v.show(content, ended);
    };
    let ticker: ReturnType<typeof setInterval> | undefined;
    try {
      await mkdir(settings.reportFolder, { recursive: true });
      const wait = await this.waitForViews(views, name, abort.signal, show, progress);
      if (abort.signal.aborted) {
        const text = cancelledBeforeStartText(request.script);
        out.appendLine(`■ ${text}`);
        this.log.info(`${text} (Cancel during the wait for the report view, ${Math.round(wait.ms)} ms)`);
        show({ kind: 'status', text }, true);
        this.cancelledBeforeStart.add(request);
        return undefined;
      }
      const spawnAt = Date.now();
      const recording = () => show({ kind: 'status', text: recordingText(request.script, defaultThreads, Date.now() - spawnAt) });
      if (views.length) ticker = setInterval(recording, PROGRESS_EVERY_MS);
      recording();
      const result = await runProfiled({
        script: request.script,
        args: request.args ?? [],
        cwd: vscode.workspace.getWorkspaceFolder(vscode.Uri.file(request.script))?.uri.fsPath ?? path.dirname(request.script),
        threads: request.threads ?? settings.threads,
        schedule: request.schedule ?? settings.schedule,
        sampleIntervalUs: request.sampleIntervalUs ?? settings.sampleIntervalUs,
        profiler: settings.profiler,
        node: settings.node,
        nodeArgs: settings.nodeArgs,
        env: settings.env,
        out: planned,
        workload: request.workload,
        signal: abort.signal,
        onOutput: (text) => out.append(text),
      });
      const writtenAt = Date.now();
      clearInterval(ticker);
      const outcome: ProfileOutcome = { ...loadedFrom(result.file, result.report, result.metrics), cancelled: result.cancelled };
      const analyzedAt = Date.now();
      // Into the view that is already open (and, after the first run, ready): the report, or
      // where it went when it could not be written where the view expected it.
      show(result.file === planned ? { kind: 'report', loaded: outcome }
        : { kind: 'status', failed: true, text: `The report could not be written to ${planned}${result.unwritten ? ` (${result.unwritten.error})` : ''}; it was written to ${result.file}, which opens in its own tab.` }, true);
      const report = result.report;
      const endText = runEndText(report);
      out.appendLine(`■ ${name} ${endText}; report: ${result.file}`);
      this.log.info(`recorded ${result.file}: ${endText}`);
      this.session.recordedRun(outcome);
      const end = runEnd(report);
      if (end === 'crashed' || end === 'killed' || end === 'failed') {
        if (settings.revealOutput !== 'never') out.show(true);
        void this.log.warn(`${name} ${endText}; the report shows what ran until then.`, 'Show Output')
          .then((c) => { if (c) out.show(); }, () => undefined);
      }
      const steps: Record<string, number> = {};
      for (const listener of this.listeners) {
        try {
          await listener(outcome, settings, steps);
        } catch (e) {
          this.log.reportError('Showing the report failed', e);
        }
      }
      this.recordTimings({ script: name, file: result.file, report, commandAt, spawnAt, writtenAt, analyzedAt, steps, wait });
      return outcome;
    } catch (e) {
      if (settings.revealOutput !== 'never') out.show(true);
      this.log.reportError(`Profiling ${name} failed`, e);
      show({ kind: 'status', failed: true, text: `Profiling ${name} failed: ${e instanceof Error ? e.message : String(e)}` }, true);
      return undefined;
    } finally {
      clearInterval(ticker);
      this.running.delete(abort);
      for (const d of disposables) d.dispose();
      this.updateRunningState();
    }
  }

  /**
   * Waits until every view that can say so is up, at most VIEW_START_CAP_MS; Cancel (`signal`)
   * ends the wait at once. Says so in the views and the progress notification meanwhile.
   */
  private async waitForViews(views: RunView[], name: string, signal: AbortSignal, show: (content: ViewContent) => void,
    progress: vscode.Progress<{ message?: string }>): Promise<{ ms: number; how: RunTimings['viewWait'] }> {
    const waiting = views.filter((v) => v.ready);
    if (!waiting.length || signal.aborted) return { ms: 0, how: 'none' };
    const from = Date.now();
    const stop = new AbortController();
    const cap = setTimeout(() => stop.abort(), VIEW_START_CAP_MS);
    const cancelled = () => stop.abort();
    signal.addEventListener('abort', cancelled, { once: true });
    show({ kind: 'status', text: STARTING_VIEW_TEXT });
    progress.report({ message: STARTING_VIEW_TEXT });
    try {
      const ready = await Promise.all(waiting.map((v) => v.ready!(stop.signal)));
      const ms = Date.now() - from;
      const how = ready.every(Boolean) ? 'ready' : 'cap';
      if (!signal.aborted) {
        this.log.info(how === 'ready' ? `timing ${name}: the report view was up after ${ms} ms of waiting; the script starts now`
          : `timing ${name}: the report view was not up after ${ms} ms of waiting (the most is ${VIEW_START_CAP_MS} ms), or could not be opened; the script starts now`);
      }
      return { ms, how };
    } finally {
      clearTimeout(cap);
      signal.removeEventListener('abort', cancelled);
      // The title alone again ("Profiling x.js"): the notification's message is replaced, not appended to.
      progress.report({ message: '' });
    }
  }

  /**
   * The report view of `file` was sent its report at `at` (ms since the epoch). A run's view is
   * open before its report exists, so this usually comes before the run's timings are recorded.
   */
  noteViewReady(file: string, at: number): void {
    const t = this.timings.find((x) => x.file === file);
    const written = t && this.writtenAt.get(t);
    if (!t || written === undefined) {
      this.viewReadyAt.set(file, at);
      if (this.viewReadyAt.size > 20) this.viewReadyAt.delete(this.viewReadyAt.keys().next().value as string);
      return;
    }
    if (t.viewReadyMs !== undefined) return;
    t.viewReadyMs = at - written;
    this.log.info(`timing ${t.script}: report written → view has the report ${Math.round(t.viewReadyMs)} ms`);
  }

  private readonly writtenAt = new WeakMap<RunTimings, number>();
  /** When views were sent reports of runs whose timings were not recorded yet, by report file. */
  private readonly viewReadyAt = new Map<string, number>();

  private recordTimings({ script, file, report, commandAt, spawnAt, writtenAt, analyzedAt, steps, wait }: { script: string; file: string;
    report: LoadedReport['report']; commandAt: number; spawnAt: number; writtenAt: number; analyzedAt: number; steps: Record<string, number>;
    wait: { ms: number; how: RunTimings['viewWait'] } }): void {
    const ms = (us: number) => us / 1000;
    let firstTaskUs = Infinity;
    for (let k = 0; k < report.spans.count; k++) firstTaskUs = Math.min(firstTaskUs, report.spans.start[k]);
    const main = report.threads.find((t) => t.kind === 'main');
    // The origin is taken just before the spawn, so exit happened at startedAt + durationUs.
    const exitAt = report.meta.startedAt + ms(report.meta.durationUs);
    const t: RunTimings = {
      script, file, beforeSpawnMs: spawnAt - commandAt, analyzeMs: analyzedAt - writtenAt, steps, processMs: ms(report.meta.durationUs),
      mainStartMs: main ? ms(main.start) : NaN, firstTaskMs: Number.isFinite(firstTaskUs) ? ms(firstTaskUs) : NaN,
      reportMs: Math.max(0, writtenAt - exitAt), showMs: Date.now() - writtenAt, viewWaitMs: wait.ms, viewWait: wait.how,
    };
    this.timings.push(t);
    this.writtenAt.set(t, writtenAt);
    const readyAt = this.viewReadyAt.get(file);
    this.viewReadyAt.delete(file);
    if (readyAt !== undefined) t.viewReadyMs = readyAt - writtenAt;
    if (this.timings.length > 20) this.timings.shift();
    const f = (x: number) => (Number.isFinite(x) ? `${Math.round(x)} ms` : '–');
    this.log.info(`timing ${script}: before spawn ${f(t.beforeSpawnMs)}${t.viewWait === 'none' ? '' : ` (of which waiting for the report view ${f(t.viewWaitMs)}${t.viewWait === 'cap' ? ', gave up' : ''})`} · process ${f(t.processMs)} (main thread at ${f(t.mainStartMs)}, ` +
      `first task at ${f(t.firstTaskMs)}) · exit → report written ${f(t.reportMs)} · metrics ${f(t.analyzeMs)} · ` +
      `report → view opened and editors annotated ${f(t.showMs)} (${Object.entries(steps).map(([k, v]) => `${k} ${f(v)}`).join(', ')})` +
      `${t.viewReadyMs !== undefined ? ` · report written → view has the report ${f(t.viewReadyMs)}` : ''}`);
  }

  private updateRunningState(script?: string): void {
    const n = this.running.size;
    void vscode.commands.executeCommand('setContext', CONTEXT_KEYS.running, n > 0);
    if (n === 0) {
      this.statusItem.hide();
      return;
    }
    this.statusItem.text = `$(loading~spin) Profiling${script ? ` ${script}` : ''}${n > 1 ? ` (+${n - 1})` : ''}`;
    this.statusItem.tooltip = 'Parallel Profiler: click to stop profiling';
    this.statusItem.show();
  }

  dispose(): void {
    this.stopAll();
    this.statusItem.dispose();
  }
}

/** `<folder>/<script>[-<workload>]-<yyyymmdd-hhmmss>.parprof`, local time, so names sort by date. */
function reportPath(folder: string, request: ProfileRequest): string {
  const d = new Date();
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const stamp = `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}${p(d.getMilliseconds(), 3)}`;
  const base = path.basename(request.script).replace(/\.[cm]?[jt]s$/, '');
  const workload = request.workload ? `-${request.workload.replace(/[^\w.-]+/g, '_')}` : '';
  return path.join(folder, `${base}${workload}-${stamp}.parprof`);
}
