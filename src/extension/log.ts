// One place where the extension reports failures: the stack goes to the log channel, the user
// gets one message naming what failed, with "Open Log".
import * as vscode from 'vscode';

export class Log implements vscode.Disposable {
  /** Log of the extension itself (errors with stacks, run summaries). */
  readonly channel: vscode.LogOutputChannel;
  /** The profiled scripts' stdout and stderr, streamed as they run. */
  readonly scriptOutput: vscode.OutputChannel;

  constructor() {
    this.channel = vscode.window.createOutputChannel('Parallel Profiler', { log: true });
    this.scriptOutput = vscode.window.createOutputChannel('Parallel Profiler: Script Output');
  }

  /** Information, warning and error messages shown to the user this session, oldest first (for tests and diagnostics). */
  readonly shown: string[] = [];

  info(message: string): void {
    this.channel.info(message);
  }

  /** Shows an information message with actions, logs and remembers it; resolves with the chosen action. */
  notify<T extends string>(message: string, ...actions: T[]): Thenable<T | undefined> {
    this.remember('info', message, actions);
    return vscode.window.showInformationMessage(message, ...actions);
  }

  /** notify() as a warning. */
  warn<T extends string>(message: string, ...actions: T[]): Thenable<T | undefined> {
    this.remember('warning', message, actions);
    return vscode.window.showWarningMessage(message, ...actions);
  }

  /** Remembered as "info: message [Open | Reveal]". */
  private remember(level: 'info' | 'warning', message: string, actions: string[]): void {
    if (level === 'info') this.channel.info(message);
    else this.channel.warn(message);
    this.shown.push(`${level}: ${message}${actions.length ? ` [${actions.join(' | ')}]` : ''}`);
    if (this.shown.length > 50) this.shown.shift();
  }

  /**
   * Logs `error` with its stack and shows `what failed: message` with an "Open Log" action.
   * Never throws and never awaits the user's click (callers go on at once).
   */
  reportError(what: string, error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    const stack = error instanceof Error && error.stack ? error.stack : message;
    this.channel.error(`${what}: ${stack}`);
    this.shown.push(`error: ${what}: ${message} [Open Log]`);
    if (this.shown.length > 50) this.shown.shift();
    void vscode.window.showErrorMessage(`${what}: ${message}`, 'Open Log').then((choice) => {
      if (choice === 'Open Log') this.channel.show(true);
    }, () => undefined);
  }

  dispose(): void {
    this.channel.dispose();
    this.scriptOutput.dispose();
  }
}
