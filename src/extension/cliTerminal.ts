// `parprof sweep` and `parprof ab` in a terminal of their own. A terminal whose process is the
// CLI itself closes the moment the CLI exits (VS Code's extension API has no "wait on exit"), so
// the speedup table, or the line saying why the CLI stopped, vanished with it and the user saw
// only "terminated with exit code: 2". Here the CLI's output goes to a pseudoterminal that stays
// until a key is pressed; at the end the report opens, or a warning says why there is none.
import * as vscode from 'vscode';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import type { Log } from './log';
import { COMMANDS } from './surface';

export interface CliRun {
  /** The terminal's name and the words of the end message: "Sweep pool-demo.js". */
  title: string;
  node: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  /** The report the CLI writes; opened when it exits 0. */
  report: string;
}

/** The last non-empty line of the CLI's output: its reason when it stops. */
function lastLine(text: string): string {
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  return lines[lines.length - 1] ?? '';
}

export function cliInTerminal(run: CliRun, log: Log): vscode.Terminal {
  const write = new vscode.EventEmitter<string>();
  const close = new vscode.EventEmitter<number>();
  let child: ChildProcess | undefined;
  /** The CLI's exit code once it ended (null: killed by a signal, or it could not start). */
  let ended: { code: number | null } | undefined;
  let tail = '';
  const show = (text: string): void => {
    tail = (tail + text).slice(-8000);
    write.fire(text.replace(/\r?\n/g, '\r\n'));
  };
  const finish = (code: number | null, why: string): void => {
    if (ended) return;
    ended = { code };
    write.fire(`\r\n■ ${run.title} ${code === 0 ? 'ended' : `stopped (${code === null ? 'no exit code' : `exit code ${code}`})`}. Press any key to close this terminal.\r\n`);
    if (code === 0 && fs.existsSync(run.report)) {
      void vscode.commands.executeCommand(COMMANDS.openReport.id, vscode.Uri.file(run.report))
        .then(undefined, (e: unknown) => log.reportError(`Opening the report of ${run.title} failed`, e));
      return;
    }
    void log.warn(`${run.title} failed${code === null ? '' : ` (exit code ${code})`}: ${why || 'see its terminal'}`, 'Show Terminal')
      .then((c) => { if (c) terminal.show(); }, () => undefined);
  };
  const pty: vscode.Pseudoterminal = {
    onDidWrite: write.event,
    onDidClose: close.event,
    open: () => {
      write.fire(`▶ ${[run.node, ...run.args].join(' ')}\r\n`);
      child = spawn(run.node, run.args, { cwd: run.cwd, env: { ...process.env, ...run.env }, stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout?.on('data', (b: Buffer) => show(b.toString()));
      child.stderr?.on('data', (b: Buffer) => show(b.toString()));
      child.on('error', (e) => { show(`${e.message}\n`); finish(null, `${run.node} could not start: ${e.message}`); });
      child.on('close', (code) => finish(code, lastLine(tail)));
    },
    // The user closed the terminal: a CLI still running stops (it ends its runs on SIGINT).
    close: () => {
      if (!ended) child?.kill('SIGINT');
      write.dispose();
      close.dispose();
    },
    handleInput: (data) => {
      if (ended) close.fire(ended.code ?? 1);
      else if (data === '\x03') child?.kill('SIGINT');
    },
  };
  const terminal = vscode.window.createTerminal({ name: run.title, pty });
  return terminal;
}
