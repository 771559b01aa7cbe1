// Runs a script under the profiler from VS Code: trust check, progress with Cancel, status bar,
// streamed output, then the results (panel, editor annotations, Runs view). The recording itself
// is the runner's, the same one the CLI uses.
import * as vscode from 'vscode';
import * as path from 'node:path';
import { mkdir } from 'node:fs/promises';
import { runProfiled } from '../runner/run';
import type { Schedule } from '../model/report';
import { CONTEXT_KEYS, COMMANDS } from './surface';
import { readSettings } from './settings';
import { loadedFrom, type LoadedReport, type ReportSession } from './reports';
import type { Log } from './log';

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

/** Called with each finished run, e.g. to open the panel and annotate editors. */
export type RunListener = (outcome: ProfileOutcome, settings: { openReportAfterRun: boolean }) => void | Promise<void>;

export const UNTRUSTED_MESSAGE = 'Parallel Profiler does not run scripts in an untrusted workspace: profiling executes the ' +
  "script's code. Trust the workspace to profile; reports can still be opened and viewed.";

export class Profiler implements vscode.Disposable {
  private readonly running = new Set<AbortController>();
  private readonly statusItem: vscode.StatusBarItem;
  private readonly listeners: RunListener[] = [];
  /** Refusal messages shown this session (most recent last), for tests and diagnostics. */
  readonly refusals: string[] = [];

  constructor(private readonly log: Log, private readonly session: ReportSession) {
    this.statusItem = vscode.window.createStatusBarItem('parallelProfiler.running', vscode.StatusBarAlignment.Left, 100);
    this.statusItem.name = 'Parallel Profiler';
    this.statusItem.command = COMMANDS.stopProfiling.id;
  }

  onDidFinish(listener: RunListener): void {
    this.listeners.push(listener);
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
      (_progress, progressToken) => this.run(request, [progressToken, token]));
  }

  private async run(request: ProfileRequest, tokens: (vscode.CancellationToken | undefined)[]): Promise<ProfileOutcome | undefined> {
    const settings = readSettings(vscode.Uri.file(request.script));
    const abort = new AbortController();
    const disposables: vscode.Disposable[] = [];
    for (const t of tokens) if (t) disposables.push(t.onCancellationRequested(() => abort.abort()));
    this.running.add(abort);
    this.updateRunningState(path.basename(request.script));
    const out = this.log.scriptOutput;
    out.appendLine(`▶ ${settings.node} ${request.script}${request.args?.length ? ` ${request.args.join(' ')}` : ''}`);
    out.show(true);
    try {
      await mkdir(settings.reportFolder, { recursive: true });
      const result = await runProfiled({
        script: request.script,
        args: request.args ?? [],
        cwd: vscode.workspace.getWorkspaceFolder(vscode.Uri.file(request.script))?.uri.fsPath ?? path.dirname(request.script),
        threads: request.threads ?? settings.threads,
        schedule: request.schedule ?? settings.schedule,
        sampleIntervalUs: request.sampleIntervalUs ?? settings.sampleIntervalUs,
        node: settings.node,
        nodeArgs: settings.nodeArgs,
        env: settings.env,
        out: reportPath(settings.reportFolder, request),
        workload: request.workload,
        signal: abort.signal,
        onOutput: (text) => out.append(text),
      });
      const outcome: ProfileOutcome = { ...loadedFrom(result.file, result.report), cancelled: result.cancelled };
      const exit = result.report.exit;
      out.appendLine(`■ ${result.cancelled ? 'cancelled' : `exit ${exit.code ?? exit.signal}`}; report: ${result.file}`);
      this.log.info(`recorded ${result.file} (${result.cancelled ? 'cancelled' : `exit code ${exit.code}, signal ${exit.signal}`})`);
      this.session.recordedRun(outcome);
      if (!result.cancelled && (exit.code !== 0 || exit.error)) {
        const why = exit.error ? exit.error.message : exit.signal ? `killed by ${exit.signal}` : `exit code ${exit.code}`;
        void vscode.window.showWarningMessage(`${path.basename(request.script)} failed (${why}); the report shows what ran until then.`, 'Show Output')
          .then((c) => { if (c) out.show(); }, () => undefined);
      }
      for (const listener of this.listeners) {
        try {
          await listener(outcome, settings);
        } catch (e) {
          this.log.reportError('Showing the report failed', e);
        }
      }
      return outcome;
    } catch (e) {
      this.log.reportError(`Profiling ${path.basename(request.script)} failed`, e);
      return undefined;
    } finally {
      this.running.delete(abort);
      for (const d of disposables) d.dispose();
      this.updateRunningState();
    }
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
