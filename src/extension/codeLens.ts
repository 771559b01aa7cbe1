// CodeLens on pool code: "▶ Profile | Profile with 1…N threads" above each pool creation and
// operation, and after a run the region's numbers above the call that started it.
import * as vscode from 'vscode';
import * as os from 'node:os';
import { fileURLToPath } from 'node:url';
import { findPoolCalls, mentionsPool } from './sourceScan';
import { regionLensText } from './format';
import { COMMANDS } from './surface';
import type { LoadedReport } from './reports';

/** At most this many region lenses per line (a pool call in a loop starts many regions). */
const REGIONS_PER_LINE = 3;

export class PoolCodeLensProvider implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  private annotated: LoadedReport | undefined;

  /** Shows (or with undefined, hides) the numbers of `loaded`'s regions above their call sites. */
  setRegions(loaded: LoadedReport | undefined): void {
    this.annotated = loaded;
    this.changed.fire();
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const text = document.getText();
    const lenses: vscode.CodeLens[] = [];
    if (document.uri.scheme === 'file' && mentionsPool(text)) {
      const cores = os.availableParallelism();
      const seen = new Set<number>();
      for (const call of findPoolCalls(text)) {
        if (seen.has(call.line)) continue;
        seen.add(call.line);
        const range = new vscode.Range(call.line, call.column, call.line, call.column);
        lenses.push(new vscode.CodeLens(range, { title: '▶ Profile', command: COMMANDS.profileCurrentFile.id, arguments: [document.uri], tooltip: 'Profile this script with the default settings' }));
        lenses.push(new vscode.CodeLens(range, { title: `Profile with 1…${cores} threads`, command: COMMANDS.profileWithThreads.id, arguments: [document.uri], tooltip: 'Pick the number of pool threads, then profile' }));
      }
    }
    lenses.push(...this.regionLenses(document));
    return lenses;
  }

  private regionLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const loaded = this.annotated;
    if (!loaded || document.uri.scheme !== 'file') return [];
    const perLine = new Map<number, number>();
    const lenses: vscode.CodeLens[] = [];
    loaded.report.regions.forEach((region, index) => {
      const site = region.callSite;
      if (!site || normalize(site.file) !== document.uri.fsPath || site.line < 1 || site.line > document.lineCount) return;
      const count = perLine.get(site.line) ?? 0;
      perLine.set(site.line, count + 1);
      if (count >= REGIONS_PER_LINE) return;
      const metrics = loaded.metrics.regions.find((r) => (r as { id?: number }).id === region.id) ?? loaded.metrics.regions[index];
      if (!metrics) return;
      const range = new vscode.Range(site.line - 1, 0, site.line - 1, 0);
      lenses.push(new vscode.CodeLens(range, { title: regionLensText(metrics), command: COMMANDS.showLastReport.id, arguments: [loaded.file], tooltip: `${region.name}: open the report` }));
    });
    return lenses;
  }

  dispose(): void {
    this.changed.dispose();
  }
}

function normalize(file: string): string {
  return file.startsWith('file://') ? fileURLToPath(file) : file;
}
