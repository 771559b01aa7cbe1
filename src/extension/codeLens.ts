// CodeLens on pool code, in the manner of rust-analyzer's Run | Debug: "▶ Profile | Profile with
// N threads… | Sweep 1…N threads" above each pool creation and operation, and after a run the region's numbers above
// the call that started it (from that file's last run; hidden, with a note, once the file was
// edited since the run). The lenses refresh as soon as a run's annotations change.
import * as vscode from 'vscode';
import * as os from 'node:os';
import { findPoolCalls, mentionsPool } from './sourceScan';
import { sweepThreadCounts } from '../model/profile-options';
import { COMMANDS } from './surface';
import { SCHEDULES } from '../model/report';
import type { EditorAnnotations } from './annotations';

export class PoolCodeLensProvider implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly annotations: EditorAnnotations) {
    this.subscription = annotations.onDidChange(() => this.changed.fire());
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const text = document.getText();
    const lenses: vscode.CodeLens[] = [];
    if (document.uri.scheme === 'file' && mentionsPool(text)) {
      const seen = new Set<number>();
      const cores = os.availableParallelism();
      for (const call of findPoolCalls(text)) {
        if (seen.has(call.line)) continue;
        seen.add(call.line);
        const range = new vscode.Range(call.line, call.column, call.line, call.column);
        lenses.push(new vscode.CodeLens(range, { title: '▶ Profile', command: COMMANDS.profileCurrentFile.id, arguments: [document.uri], tooltip: 'Profile this script with the default settings' }));
        lenses.push(new vscode.CodeLens(range, { title: 'Profile with N threads…', command: COMMANDS.profileWithThreads.id, arguments: [document.uri], tooltip: 'Pick the number of pool threads, then profile once with it' }));
        lenses.push(new vscode.CodeLens(range, { title: `Sweep 1…${cores} threads`, command: COMMANDS.sweepThreads.id, arguments: [document.uri],
          tooltip: `parprof sweep in a terminal: the script at ${sweepThreadCounts(cores).join(', ')} threads, with speedup and efficiency` }));
        lenses.push(new vscode.CodeLens(range, { title: 'Compare schedules', command: COMMANDS.compareSchedules.id, arguments: [document.uri],
          tooltip: `parprof ab in a terminal: the script under ${SCHEDULES.join(', ')} on ${cores} threads, 3 runs each, and the winner` }));
      }
    }
    lenses.push(...this.regionLenses(document));
    return lenses;
  }

  private regionLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const shown = this.annotations.forDocument(document);
    if (!shown) return [];
    const inFile = shown.entry.lenses.filter((l) => l.line <= document.lineCount);
    if (!shown.current) {
      // One note where the numbers were: the lines may have moved, so no number is shown.
      const line = Math.min(...inFile.map((l) => l.line), document.lineCount) - 1;
      if (inFile.length === 0) return [];
      const range = new vscode.Range(line, 0, line, 0);
      return [new vscode.CodeLens(range, { title: 'Parallel Profiler: edited since the run, numbers hidden — profile again',
        command: COMMANDS.profileCurrentFile.id, arguments: [document.uri], tooltip: `The numbers of ${shown.entry.reportFile} describe the code as it was when it ran` })];
    }
    return inFile.map((l) => new vscode.CodeLens(new vscode.Range(l.line - 1, 0, l.line - 1, 0),
      { title: l.title, command: COMMANDS.showLastReport.id, arguments: [shown.entry.reportFile], tooltip: `${l.name}: open the report` }));
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
