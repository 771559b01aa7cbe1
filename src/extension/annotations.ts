// The annotations the editors show, per file, from each file's last run (src/model/annotations.ts
// decides what belongs where). This glue reads the files to fingerprint them, answers "what does
// this document show, and does it still match its text", and tells the hot lines and the CodeLens
// provider when that changed, so visible editors refresh at once.
import * as vscode from 'vscode';
import { stat, readFile } from 'node:fs/promises';
import { lineHotness } from '../model/lines';
import { AnnotationStore, fingerprintAtRun, matchesText, runAnnotations, type FileAnnotations } from '../model/annotations';
import { regionLensText } from './format';
import { CONTEXT_KEYS } from './surface';
import type { LoadedReport } from './reports';

export interface DocumentAnnotations {
  entry: FileAnnotations;
  /** False when the document's text is not the text that ran (edited since): numbers are hidden. */
  current: boolean;
}

export class EditorAnnotations implements vscode.Disposable {
  private readonly store = new AnnotationStore();
  private readonly changed = new vscode.EventEmitter<string[]>();
  /** Fires with the files whose annotations changed. */
  readonly onDidChange = this.changed.event;
  private shown: { loaded: LoadedReport; thread?: number } | undefined;
  /** Text fingerprint check per document version, so a CodeLens pass does not hash the text again. */
  private readonly checked = new Map<string, { version: number; fingerprint: string; current: boolean }>();

  /** The report shown last and its thread filter (undefined = all threads). */
  get last(): { loaded: LoadedReport; thread?: number } | undefined {
    return this.shown;
  }

  /** Annotates every file `loaded` has numbers for, replacing the earlier run of the same script. */
  async showRun(loaded: LoadedReport, thread?: number): Promise<void> {
    const hot = lineHotness(loaded.report, thread === undefined ? {} : { thread });
    const files = runAnnotations(loaded.file, loaded.report, loaded.metrics, hot,
      (region, m) => regionLensText({ workers: region.threads, utilization: m.utilization, imbalance: m.imbalance, queuedTasks: m.queuedTasks, queueWaitMs: m.queueWaitMs }));
    await Promise.all(files.map(async (f) => {
      try {
        const [text, st] = await Promise.all([readFile(f.file, 'utf8'), stat(f.file)]);
        f.fingerprint = fingerprintAtRun(text, st.mtimeMs, loaded.report.meta.startedAt);
      } catch {
        // Unreadable now: nothing to compare with later, so it is shown as it is.
      }
    }));
    const changed = this.store.addRun(loaded.report.meta.script, files);
    this.shown = { loaded, thread };
    for (const f of changed) this.checked.delete(f);
    void vscode.commands.executeCommand('setContext', CONTEXT_KEYS.annotated, true);
    this.changed.fire(changed);
  }

  clear(): void {
    const files = this.store.clear();
    this.shown = undefined;
    this.checked.clear();
    void vscode.commands.executeCommand('setContext', CONTEXT_KEYS.annotated, false);
    this.changed.fire(files);
  }

  /** What `document` shows, if anything. */
  forDocument(document: vscode.TextDocument): DocumentAnnotations | undefined {
    if (document.uri.scheme !== 'file') return undefined;
    const entry = this.store.get(document.uri.fsPath);
    if (!entry) return undefined;
    const key = document.uri.fsPath;
    const seen = this.checked.get(key);
    if (seen && seen.version === document.version && seen.fingerprint === entry.fingerprint) return { entry, current: seen.current };
    const current = matchesText(entry, document.getText());
    this.checked.set(key, { version: document.version, fingerprint: entry.fingerprint ?? '', current });
    return { entry, current };
  }

  dispose(): void {
    this.changed.dispose();
  }
}
