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

  info(message: string): void {
    this.channel.info(message);
  }

  /**
   * Logs `error` with its stack and shows `what failed: message` with an "Open Log" action.
   * Never throws and never awaits the user's click (callers go on at once).
   */
  reportError(what: string, error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    const stack = error instanceof Error && error.stack ? error.stack : message;
    this.channel.error(`${what}: ${stack}`);
    void vscode.window.showErrorMessage(`${what}: ${message}`, 'Open Log').then((choice) => {
      if (choice === 'Open Log') this.channel.show(true);
    }, () => undefined);
  }

  dispose(): void {
    this.channel.dispose();
    this.scriptOutput.dispose();
  }
}
