// Call tree: the transformed samples of the chosen threads merged (thread-choice.ts), top-down, inverted
// (bottom-up: the functions with self time, then their callers), or the sandwich of one function
// (its callers above, its callees below). Narrowed like the flamegraph: by the selected tasks when
// there are, else by the timeline's selected range. Transforms from here or from the flamegraph
// show in the breadcrumb of both.
import type { CallTreeMode, WebviewToHost } from '../src/protocol';
import { invertedTree, keyPath, sandwich, topDownTree, type CallTree, type SampleSelection } from '../src/model/calltree';
import type { Store } from './store';
import { el, ms, percent, location } from './dom';
import { TreeTable } from './tree-table';
import { FrameMenu, TransformBar, frameActions, type FrameRef } from './transform-bar';
import { ThreadChoice } from './thread-choice';
import { noSamplesNote } from './no-samples';
import { GapNote } from './gap-note';
import { NOT_SAMPLED_FRAME, NOT_SAMPLED_MEANING } from '../src/model/unsampled';
import { selectionByThread } from './explore-panel';

type Frame = FrameRef & { line: number; column: number };

export class CallTreeView {
  readonly element: HTMLElement;
  private readonly threadChoice: ThreadChoice;
  private readonly modeSelect = el('select', { id: 'calltree-mode', 'aria-label': 'Call tree direction' },
    el('option', { value: 'top-down' }, 'Top-down'), el('option', { value: 'inverted' }, 'Inverted (bottom-up)'), el('option', { value: 'sandwich' }, 'Sandwich (callers and callees)'));
  private readonly totalOut = el('output', { id: 'calltree-total' });
  private readonly details = el('div', { class: 'pp-details', id: 'calltree-details', 'aria-live': 'polite' });
  private readonly body = el('div', { class: 'pp-ct-body' });
  private readonly main: TreeTable;
  private readonly callers: TreeTable;
  private readonly callees: TreeTable;
  private readonly menu: FrameMenu;
  private trees: { main?: CallTree; callers?: CallTree; callees?: CallTree } = {};
  /** The function the sandwich is about (a function key). */
  private sandwichKey: string | undefined;
  private dirty = true;
  private readonly gapNote: GapNote;

  constructor(private readonly store: Store, private readonly post: (m: WebviewToHost) => void) {
    this.threadChoice = new ThreadChoice(store, 'calltree', 'Threads shown in the call tree');
    // The mode and the sandwich's function chosen before (view state).
    this.modeSelect.value = store.callTreeMode;
    this.sandwichKey = store.sandwich;
    this.modeSelect.addEventListener('change', () => {
      if (this.mode() === 'sandwich' && !this.sandwichKey) this.sandwichKey = this.selectedFrame(this.main)?.key;
      this.keepMode();
      this.invalidate();
    });
    const table = (id: string, label: string) => {
      const t: TreeTable = new TreeTable({ id, label,
        onSelect: () => this.showDetails(t),
        onOpen: (node) => this.openSource(this.frameOf(t, node)),
        onContextMenu: (node, x, y) => {
          const f = this.frameOf(t, node);
          if (!f) return;
          const extra = [{ label: 'Show callers and callees (sandwich)', run: () => this.showSandwich(f.key) }];
          if (f.file && store.canOpenSource) extra.push({ label: 'Open source', run: () => this.openSource(f) });
          this.menu.open(f, x, y + 40, extra);
        } });
      return t;
    };
    this.main = table('calltree-tree', 'Call tree. Arrow keys move and expand, Enter opens the source.');
    this.callers = table('calltree-callers', 'Callers of the function');
    this.callees = table('calltree-callees', 'Callees of the function');
    const bar = new TransformBar(store, 'calltree');
    const toolbar = el('div', { class: 'pp-toolbar', role: 'toolbar', 'aria-label': 'Call tree controls' },
      this.threadChoice.element, this.modeSelect, el('span', { class: 'pp-spacer' }), this.totalOut);
    this.element = el('section', { 'aria-label': 'Call tree', class: 'pp-calltree' }, toolbar, bar.element, this.details, this.body,
      el('p', { class: 'pp-hint' }, 'Right-click a row (or press the context-menu key) to merge, focus on or drop a function; the breadcrumb undoes it. Pool and recorder frames are merged away unless shown.'));
    const note = noSamplesNote(store.report);
    if (note) this.element.insertBefore(note, toolbar);
    this.gapNote = new GapNote(store.report, 'calltree-gap-note', 'the call tree');
    this.element.insertBefore(this.gapNote.element, this.body);
    this.menu = new FrameMenu(this.element, store);
    store.on('transforms', () => this.invalidate());
    store.on('range', () => this.invalidate());
    store.on('selection', () => this.invalidate());
    store.on('threads', () => this.invalidate());
  }

  private mode(): CallTreeMode {
    return this.modeSelect.value as CallTreeMode;
  }

  /** The mode and the sandwich's function into the view state. */
  private keepMode(): void {
    this.store.setCallTree(this.mode(), this.mode() === 'sandwich' ? this.sandwichKey : undefined);
  }

  private invalidate(): void {
    this.dirty = true;
    // A hidden tab (its panel has no layout) rebuilds when it is shown: app.show calls draw.
    if (this.element.isConnected && this.element.offsetParent !== null) this.draw();
  }

  /** The samples the tree counts: the selected tasks' samples if any, else the selected range. */
  private selection(): SampleSelection {
    const threads = this.threadChoice.threads();
    const samples = this.store.samplesOf();
    // A threads × range selection counts its samples clipped to the range (SampleSets.clip).
    if (samples) return { threads, samples, ...samples.clip };
    return { threads, from: this.store.range?.from, to: this.store.range?.to };
  }

  draw(): void {
    if (!this.dirty) return;
    this.dirty = false;
    const samples = this.store.transformed();
    const sel = this.selection();
    this.gapNote.update(sel.samples ? { threads: sel.threads, pairs: selectionByThread(this.store) } : sel);
    const mode = this.mode();
    if (mode === 'sandwich') {
      const key = this.sandwichKey ?? heaviestSelf(topDownTree(samples, sel));
      this.sandwichKey = key;
      const name = key ? key.split('\u0001')[0] || '(anonymous)' : '';
      const s = key ? sandwich(samples, key, sel) : undefined;
      this.trees = { callers: s?.callers, callees: s?.callees };
      this.body.replaceChildren(
        el('h3', { class: 'pp-ct-heading' }, s ? `Callers of ${name}` : 'No function with time in this selection'), this.callers.element,
        el('h3', { class: 'pp-ct-heading' }, s ? `Callees of ${name}` : ''), this.callees.element);
      if (s) { this.callers.setTree(s.callers); this.callees.setTree(s.callees); }
      this.setTotal(s ? s.total : 0, s ? `${name}: total ${ms(s.total)} · self ${ms(s.self)}` : 'Total 0 ms');
    } else {
      const tree = mode === 'inverted' ? invertedTree(samples, sel) : topDownTree(samples, sel);
      this.trees = { main: tree };
      this.body.replaceChildren(this.main.element);
      this.main.setTree(tree);
      // Time on the root itself (a merged top-level function's own time goes to its caller, the
      // root): in the total but under no row, so say how much.
      const onRoot = tree.totalUs - tree.roots.reduce((sum, r) => sum + tree.total[r], 0);
      this.setTotal(tree.totalUs, `Total ${ms(tree.totalUs)}${onRoot > 1e-6 * tree.totalUs ? ` (${ms(onRoot)} of it under no row: the own time of merged top-level functions)` : ''}`);
      this.showDetails(this.main);
    }
  }

  private setTotal(us: number, text: string): void {
    this.totalOut.textContent = text;
    this.totalOut.dataset.us = String(us);
  }

  private treeOf(t: TreeTable): CallTree | undefined {
    return t === this.main ? this.trees.main : t === this.callers ? this.trees.callers : this.trees.callees;
  }

  private frameOf(t: TreeTable, node: number): Frame | undefined {
    const tree = this.treeOf(t);
    if (!tree) return undefined;
    const f = tree.functions[tree.func[node]];
    // A call path is a top-down notion: the inverted tree and the callers' tree run the other way.
    const path = t === this.main && this.mode() === 'top-down' ? keyPath(tree, node) : undefined;
    return { key: f.key, name: f.name, file: f.file, line: f.line, column: f.column, path };
  }

  private selectedFrame(t: TreeTable): Frame | undefined {
    const node = t.selectedNode;
    return node === undefined ? undefined : this.frameOf(t, node);
  }

  private showSandwich(key: string): void {
    this.sandwichKey = key;
    this.modeSelect.value = 'sandwich';
    this.keepMode();
    this.invalidate();
  }

  private openSource(f: Frame | undefined): void {
    if (f?.file && this.store.canOpenSource) this.post({ type: 'open-source', file: f.file, line: Math.max(1, f.line), column: Math.max(1, f.column) });
  }

  private showDetails(t: TreeTable): void {
    const tree = this.treeOf(t);
    const node = t.selectedNode;
    this.details.replaceChildren();
    if (!tree || node === undefined) {
      this.details.append(el('span', { class: 'pp-hint' }, 'No row selected.'));
      return;
    }
    const f = this.frameOf(t, node)!;
    const where = location(f.file, f.line);
    this.details.append(el('strong', {}, f.name || '(anonymous)'),
      `self ${ms(tree.self[node])} · total ${ms(tree.total[node])} · ${percent(tree.total[node] / Math.max(1, tree.totalUs))}`);
    if (where) this.details.append(el('code', {}, where));
    if (f.key === NOT_SAMPLED_FRAME.key) this.details.append(el('span', { class: 'pp-hint' }, NOT_SAMPLED_MEANING));
    if (where && this.store.canOpenSource) {
      const b = el('button', { type: 'button', 'aria-label': `Open ${where}` }, 'Open source');
      b.addEventListener('click', () => this.openSource(f));
      this.details.append(b);
    }
    if (this.mode() !== 'sandwich') {
      const b = el('button', { type: 'button', id: 'calltree-sandwich' }, 'Callers and callees');
      b.addEventListener('click', () => this.showSandwich(f.key));
      this.details.append(b);
    }
    this.details.append(frameActions(this.store, f));
  }
}

/** Key of the function with the most self time in a top-down tree (the sandwich's default subject). */
function heaviestSelf(tree: CallTree): string | undefined {
  const self = new Map<number, number>();
  let best = -1;
  let bestUs = 0;
  for (let s = 0; s < tree.func.length; s++) {
    if (tree.self[s] <= 0) continue;
    const v = (self.get(tree.func[s]) ?? 0) + tree.self[s];
    self.set(tree.func[s], v);
    if (v > bestUs) { bestUs = v; best = tree.func[s]; }
  }
  return best >= 0 ? tree.functions[best].key : undefined;
}
