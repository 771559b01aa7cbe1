// Hot lines in the editor after a run: a heat-scale background and gutter icon per line, the
// line's self/total time after it, and a hover with the per-thread breakdown. The numbers come
// from the model's lineHotness, per file from that file's last run (EditorAnnotations); a file
// edited since its run shows none, since its lines may have moved.
import * as vscode from 'vscode';
import { HEAT_LEVELS, heatLevel, hotLineText, perThreadMarkdown } from './format';
import type { EditorAnnotations } from './annotations';

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
  private readonly applied = new Map<vscode.TextEditor, AppliedHotFile>();

  constructor(extensionUri: vscode.Uri, private readonly annotations: EditorAnnotations) {
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
    this.disposables.push(
      vscode.window.onDidChangeVisibleTextEditors(() => this.applyToVisible()),
      annotations.onDidChange(() => this.applyToVisible()),
      // An edit may make the numbers stale (hidden) or, undone, current again.
      vscode.workspace.onDidChangeTextDocument((e) => {
        for (const editor of vscode.window.visibleTextEditors) if (editor.document === e.document) this.apply(editor);
      }),
    );
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
    const shown = this.annotations.forDocument(editor.document);
    const hot = shown?.current ? shown.entry.hot : undefined;
    const perLevel: vscode.DecorationOptions[][] = this.levels.map(() => []);
    const applied: AppliedHotLine[] = [];
    if (hot && shown) {
      const names = shown.entry.threadNames;
      const maxSelf = Math.max(0, ...hot.lines.map((l) => l.selfUs));
      for (const l of hot.lines) {
        if (l.line < 1 || l.line > editor.document.lineCount || l.selfUs <= 0) continue;
        const level = heatLevel(l.selfUs, maxSelf);
        const text = hotLineText(l.selfUs, l.totalUs);
        const hover = new vscode.MarkdownString(perThreadMarkdown(l.line, l.perThread, (id) => names[id] ?? `thread ${id}`));
        const range = editor.document.lineAt(l.line - 1).range;
        perLevel[level].push({ range, hoverMessage: hover, renderOptions: { after: { contentText: text } } });
        applied.push({ line: l.line, level, text });
      }
    }
    this.levels.forEach((type, level) => editor.setDecorations(type, perLevel[level]));
    if (applied.length) this.applied.set(editor, { file: editor.document.uri.fsPath, lines: applied });
    else this.applied.delete(editor);
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
