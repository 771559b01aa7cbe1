// Hot lines in the editor after a run: a heat-scale background and gutter icon per line, the
// line's self/total time after it, and a hover with the per-thread breakdown. The numbers come
// from the model's lineHotness (per-line ticks of every thread's CPU profile).
import * as vscode from 'vscode';
import { fileURLToPath } from 'node:url';
import { lineHotness, type FileHotness } from '../model/lines';
import { HEAT_LEVELS, heatLevel, hotLineText, perThreadMarkdown } from './format';
import { CONTEXT_KEYS } from './surface';
import type { LoadedReport } from './reports';

/** Background alpha per heat level; the hue stays the same so the scale reads as one colour. */
const HEAT_ALPHA = [0.08, 0.14, 0.22, 0.32, 0.45];

/** A decorated line as applied to an editor (exposed to tests through the extension API). */
export interface AppliedHotLine {
  /** 1-based. */
  line: number;
  level: number;
  text: string;
}

export interface AppliedHotFile {
  file: string;
  lines: AppliedHotLine[];
}

export class HotLines implements vscode.Disposable {
  private readonly levels: vscode.TextEditorDecorationType[];
  private readonly disposables: vscode.Disposable[] = [];
  private loaded: LoadedReport | undefined;
  /** undefined = all threads merged. */
  private thread: number | undefined;
  private byFile = new Map<string, FileHotness>();
  private readonly applied = new Map<vscode.TextEditor, AppliedHotFile>();

  constructor(extensionUri: vscode.Uri) {
    this.levels = HEAT_ALPHA.slice(0, HEAT_LEVELS).map((alpha, level) => vscode.window.createTextEditorDecorationType({
      isWholeLine: true,
      backgroundColor: `rgba(230, 80, 40, ${alpha})`,
      gutterIconPath: vscode.Uri.joinPath(extensionUri, 'media', 'icons', `heat-${level}.svg`),
      gutterIconSize: 'contain',
      overviewRulerColor: `rgba(230, 80, 40, ${Math.min(1, alpha * 2)})`,
      overviewRulerLane: vscode.OverviewRulerLane.Right,
      after: { color: new vscode.ThemeColor('editorCodeLens.foreground'), margin: '0 0 0 2em' },
    }));
    this.disposables.push(...this.levels);
    this.disposables.push(vscode.window.onDidChangeVisibleTextEditors(() => this.applyToVisible()));
  }

  /** Thread shown, or undefined for all threads. */
  get selectedThread(): number | undefined {
    return this.thread;
  }

  get report(): LoadedReport | undefined {
    return this.loaded;
  }

  show(loaded: LoadedReport, thread?: number): void {
    this.loaded = loaded;
    this.thread = thread;
    this.byFile = new Map(lineHotness(loaded.report, thread === undefined ? {} : { thread }).map((f) => [normalize(f.file), f]));
    void vscode.commands.executeCommand('setContext', CONTEXT_KEYS.annotated, true);
    this.applyToVisible();
  }

  clear(): void {
    this.loaded = undefined;
    this.byFile.clear();
    for (const editor of vscode.window.visibleTextEditors) for (const type of this.levels) editor.setDecorations(type, []);
    this.applied.clear();
    void vscode.commands.executeCommand('setContext', CONTEXT_KEYS.annotated, false);
  }

  /** What is decorated in the visible editors right now. */
  state(): AppliedHotFile[] {
    return [...this.applied.entries()]
      .filter(([editor]) => vscode.window.visibleTextEditors.includes(editor))
      .map(([, f]) => ({ file: f.file, lines: f.lines.map((l) => ({ ...l })) }));
  }

  private applyToVisible(): void {
    this.applied.clear();
    for (const editor of vscode.window.visibleTextEditors) this.apply(editor);
  }

  private apply(editor: vscode.TextEditor): void {
    const hot = this.loaded && editor.document.uri.scheme === 'file' ? this.byFile.get(normalize(editor.document.uri.fsPath)) : undefined;
    const perLevel: vscode.DecorationOptions[][] = this.levels.map(() => []);
    const applied: AppliedHotLine[] = [];
    if (hot && this.loaded) {
      const names = new Map(this.loaded.report.threads.map((t) => [t.id, t.name]));
      const maxSelf = Math.max(0, ...hot.lines.map((l) => l.selfUs));
      for (const l of hot.lines) {
        if (l.line < 1 || l.line > editor.document.lineCount || l.selfUs <= 0) continue;
        const level = heatLevel(l.selfUs, maxSelf);
        const text = hotLineText(l.selfUs, l.totalUs);
        const hover = new vscode.MarkdownString(perThreadMarkdown(l.line, l.perThread, (id) => names.get(id) ?? `thread ${id}`));
        const range = editor.document.lineAt(l.line - 1).range;
        perLevel[level].push({ range, hoverMessage: hover, renderOptions: { after: { contentText: text } } });
        applied.push({ line: l.line, level, text });
      }
    }
    this.levels.forEach((type, level) => editor.setDecorations(type, perLevel[level]));
    if (applied.length) this.applied.set(editor, { file: editor.document.uri.fsPath, lines: applied });
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

/** CPU profile urls may be file:// URLs; editors have paths. */
function normalize(file: string): string {
  return file.startsWith('file://') ? fileURLToPath(file) : file;
}
