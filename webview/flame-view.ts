// Flamegraph: the aggregated call tree of the chosen threads merged (thread-choice.ts),
// left-heavy, narrowed to the timeline's selected range. Click zooms into a frame, search
// highlights matches, hover shows self/total/share. Beside it, the top-functions table.
import type { WebviewToHost } from '../src/protocol';
import type { FlameNode } from '../src/model/flame';
import { functionStats, toFlameTree, topDownTree, type SampleSelection } from '../src/model/calltree';
import type { Store } from './store';
import { el, ms, percent, location } from './dom';
import { fitText, frameScheduler, sizeCanvas, Tooltip } from './canvas';
import { frameColor, readPalette, textOn } from './theme';
import { flameRects, frameMatches, nodeAtPath, searchTree, type FlameRect } from './layout-flame';
import { TopFunctionsTable } from './top-functions';
import { FrameMenu, TransformBar, frameActions, type FrameRef } from './transform-bar';
import { describeSelection, selectionByThread } from './explore-panel';
import { ThreadChoice } from './thread-choice';
import { noSamplesNote } from './no-samples';
import { GapNote } from './gap-note';
import { NOT_SAMPLED_FRAME, NOT_SAMPLED_MEANING } from '../src/model/unsampled';
import { selectionTree } from '../src/model/selection';
import { diffTrees } from '../src/model/flame-diff';
import { FlameDiffView } from './flame-diff-view';

/** The explanation of a '(not sampled)' frame, '' for any other. */
function notSampledMeaning(n: { key: string }): string {
  return n.key === NOT_SAMPLED_FRAME.key ? NOT_SAMPLED_MEANING : '';
}

const ROW_H = 18;

export class FlameView {
  readonly element: HTMLElement;
  /** Takes the focus when an action in another view switches here (App.show). */
  get focusTarget(): HTMLElement { return this.canvas; }
  private readonly canvas = el('canvas', { id: 'flamegraph', tabindex: 0, role: 'application', 'aria-roledescription': 'flamegraph',
    'aria-label': 'Flamegraph. Arrow keys move between frames, Enter zooms into the selected frame, Escape zooms out, O opens its source, the context-menu key (or Shift+F10) offers transforms.' });
  private readonly box = el('div', { class: 'pp-canvas-box' });
  private readonly tooltip = new Tooltip(this.box);
  private readonly threadChoice: ThreadChoice;
  private readonly search = el('input', { id: 'flame-search', type: 'search', placeholder: 'Search functions', 'aria-label': 'Search functions' });
  private readonly matchesOut = el('output', { id: 'flame-matches', 'aria-live': 'polite' });
  private readonly totalOut = el('output', { id: 'flame-total' });
  private readonly rangeOut = el('output', { id: 'flame-range' });
  private readonly details = el('div', { class: 'pp-details', id: 'flame-details', 'aria-live': 'polite' });
  /** Transforms for the selected frame, apart from its details (which stay text and "Open source"). */
  private readonly actions = el('div', { class: 'pp-details', id: 'flame-actions' });
  private readonly table: TopFunctionsTable;
  private readonly gapNote: GapNote;
  private readonly menu: FrameMenu;
  private readonly request = frameScheduler(() => this.draw());
  private root: FlameNode | undefined;
  private dirty = true;
  private focus: number[] = [];
  private selected: number[] = [];
  private rects: FlameRect<FlameNode>[] = [];
  private readonly diff = new FlameDiffView(undefined, 'flame-');

  constructor(private readonly store: Store, private readonly post: (m: WebviewToHost) => void) {
    this.threadChoice = new ThreadChoice(store, 'flame', 'Threads shown in the flamegraph');
    this.search.addEventListener('input', () => this.request());
    const reset = el('button', { type: 'button', 'aria-label': 'Zoom out to the whole tree' }, 'Reset zoom');
    reset.addEventListener('click', () => { this.focus = []; this.request(); });
    const clear = el('button', { type: 'button', 'aria-label': 'Clear the time range' }, 'Clear range');
    clear.addEventListener('click', () => store.setRange(undefined));
    const clearSelection = el('button', { type: 'button', 'aria-label': 'Clear the selected tasks', id: 'flame-clear-selection' }, 'Clear tasks');
    clearSelection.addEventListener('click', () => store.setSelection(undefined));
    const toolbar = el('div', { class: 'pp-toolbar', role: 'toolbar', 'aria-label': 'Flamegraph controls' },
      this.threadChoice.element, this.search, this.matchesOut, reset, el('span', { class: 'pp-spacer' }), this.rangeOut, clear, clearSelection, this.totalOut);
    this.table = new TopFunctionsTable((stat) => {
      this.search.value = stat.name;
      this.request();
    });
    this.box.append(this.canvas);
    const main = el('div', { class: 'pp-flame-main' }, this.box, this.details, this.actions);
    this.element = el('section', { 'aria-label': 'Flamegraph' }, toolbar,
      el('div', { class: 'pp-flame' }, main, el('div', { class: 'pp-flame-side' }, this.table.element)),
      // Against a baseline ("Use as baseline", then another selection): the difference, here as on the timeline.
      this.diff.element,
      el('p', { class: 'pp-hint' }, 'Click a frame to zoom into it; right-click it (or press the context-menu key) to merge, focus on or drop it, undone from the breadcrumb; select a range on the timeline to narrow the graph to it.'));
    this.element.insertBefore(new TransformBar(store, 'flame').element, toolbar.nextSibling);
    const note = noSamplesNote(store.report);
    if (note) this.element.insertBefore(note, toolbar);
    this.gapNote = new GapNote(store.report, 'flame-gap-note', 'the flamegraph');
    this.element.insertBefore(this.gapNote.element, this.element.querySelector('.pp-flame'));
    this.menu = new FrameMenu(this.box, store);
    store.on('range', () => this.invalidate());
    store.on('selection', () => this.invalidate());
    store.on('transforms', () => this.invalidate());
    store.on('threads', () => this.invalidate());
    new ResizeObserver(() => this.request()).observe(this.box);
    this.bindInput();
  }

  private invalidate(): void {
    this.dirty = true;
    this.request();
  }

  private threads(): number[] | undefined {
    return this.threadChoice.threads();
  }

  private rebuild(): void {
    const range = this.store.range;
    // Selected tasks (timeline, durations) win over the range: exactly the samples inside them.
    // Either way the samples are the transformed ones (default view + the breadcrumb's transforms).
    const picked = this.store.samplesOf();
    const filter: SampleSelection = picked ? { threads: this.threads(), samples: picked, ...picked.clip } : { threads: this.threads(), from: range?.from, to: range?.to };
    const samples = this.store.transformed();
    this.root = toFlameTree(topDownTree(samples, filter));
    const shown = this.store.report.threads.filter((t) => this.store.report.profiles.some((p) => p.thread === t.id) && (!filter.threads || filter.threads.includes(t.id)));
    this.table.update(functionStats(samples, filter), shown.map((t) => ({ id: t.id, name: t.name })));
    if (!nodeAtPath(this.root, this.focus)) this.focus = [];
    if (!nodeAtPath(this.root, this.selected)) this.selected = [];
    this.dirty = false;
    const { selection, baseline } = this.store;
    this.rangeOut.textContent = selection ? `Selection: ${describeSelection(this.store, selection)}${baseline ? ` · compared with ${describeSelection(this.store, baseline)} (the difference is below)` : ''}`
      : range ? `Range ${ms(range.from)} – ${ms(range.to)}` : this.store.slice ? 'Whole window' : 'Whole run';
    if (selection && baseline && picked) {
      // Both sides over the transformed samples, as the flamegraph shows them (the timeline's diff is the same).
      const a = selectionTree(this.store.report, this.store.samplesOf(baseline)!, samples);
      const b = selectionTree(this.store.report, picked, samples);
      this.diff.show(diffTrees(a, b), describeSelection(this.store, baseline), describeSelection(this.store, selection));
    } else this.diff.show(undefined, '', '');
    this.gapNote.update(picked ? { threads: filter.threads, pairs: selectionByThread(this.store) } : { threads: filter.threads, from: range?.from, to: range?.to });
    this.totalOut.textContent = `Total ${ms(this.root.total)}`;
    this.totalOut.dataset.us = String(this.root.total);
  }

  draw(): void {
    if (!this.element.isConnected || this.box.clientWidth === 0) return;
    if (this.dirty || !this.root) this.rebuild();
    const root = this.root!;
    const width = this.box.clientWidth;
    const query = this.search.value.trim();
    const found = searchTree(root, query);
    this.matchesOut.textContent = query ? `${found.frames} matching frame${found.frames === 1 ? '' : 's'} · ${ms(found.totalUs)} (${percent(found.totalUs / Math.max(1, root.total))})` : '';
    this.matchesOut.dataset.count = String(found.frames);
    this.rects = flameRects(root, this.focus, width);
    const depth = this.rects.reduce((d, r) => Math.max(d, r.depth), 0) + 1;
    const height = Math.max(ROW_H * 4, depth * ROW_H);
    const ctx = sizeCanvas(this.canvas, width, height);
    const pal = readPalette(this.element);
    ctx.clearRect(0, 0, width, height);
    ctx.font = '11px sans-serif';
    ctx.textBaseline = 'middle';
    for (const r of this.rects) {
      const y = r.depth * ROW_H;
      const fill = r.node === root ? '#9e9e9e' : frameColor(r.node.name, r.node.file);
      const hit = query !== '' && frameMatches(r.node, query);
      ctx.globalAlpha = r.ancestor || (query && !hit) ? 0.4 : 1;
      ctx.fillStyle = hit ? pal.highlight : fill;
      ctx.fillRect(r.x, y, Math.max(0.5, r.width - 1), ROW_H - 1);
      ctx.globalAlpha = 1;
      const label = fitText(ctx, r.node.name || '(anonymous)', r.width - 6);
      if (label) { ctx.fillStyle = textOn(hit ? '#ffffff' : fill); ctx.fillText(label, r.x + 3, y + ROW_H / 2); }
    }
    const sel = this.rects.find((r) => samePath(r.path, this.selected) && !r.ancestor);
    if (sel && this.selected.length > 0) {
      ctx.strokeStyle = pal.focus;
      ctx.lineWidth = 2;
      ctx.strokeRect(sel.x + 1, sel.depth * ROW_H + 1, Math.max(2, sel.width - 3), ROW_H - 3);
    }
    this.showDetails();
  }

  private showDetails(): void {
    const chain = nodeAtPath(this.root!, this.selected);
    const node = chain?.[chain.length - 1];
    this.details.replaceChildren();
    this.actions.replaceChildren();
    if (!node || this.selected.length === 0) {
      this.details.append(el('span', { class: 'pp-hint' }, 'No frame selected.'));
      return;
    }
    const where = location(node.file, node.line);
    this.details.append(el('strong', {}, node.name || '(anonymous)'),
      `self ${ms(node.self)} · total ${ms(node.total)} · ${percent(node.total / Math.max(1, this.root!.total))} of the graph`);
    if (where && this.store.canOpenSource) {
      const b = el('button', { type: 'button', 'aria-label': `Open ${where}` }, 'Open source');
      b.addEventListener('click', () => this.openSource(node));
      this.details.append(b);
    }
    if (where) this.details.append(el('code', { id: 'flame-location' }, where));
    const meaning = notSampledMeaning(node);
    if (meaning) this.details.append(el('span', { class: 'pp-hint' }, meaning));
    this.actions.append(frameActions(this.store, this.frameRef(chain!)));
  }

  /** The frame at the end of a chain from the root, with its call path of function keys. */
  private frameRef(chain: FlameNode[]): FrameRef {
    const node = chain[chain.length - 1];
    return { key: node.key, name: node.name, file: node.file, path: chain.slice(1).map((n) => n.key) };
  }

  private openMenu(x: number, y: number): void {
    const chain = this.root && nodeAtPath(this.root, this.selected);
    if (!chain || this.selected.length === 0) return;
    const node = chain[chain.length - 1];
    const extra = node.file && this.store.canOpenSource ? [{ label: 'Open source', run: () => this.openSource(node) }] : [];
    this.menu.open(this.frameRef(chain), x, y, extra);
  }

  private openSource(node: FlameNode): void {
    if (node.file && this.store.canOpenSource) this.post({ type: 'open-source', file: node.file, line: Math.max(1, node.line), column: Math.max(1, node.column) });
  }

  private rectAt(x: number, y: number): FlameRect<FlameNode> | undefined {
    const depth = Math.floor(y / ROW_H);
    return this.rects.find((r) => r.depth === depth && x >= r.x && x < r.x + r.width);
  }

  private bindInput(): void {
    this.canvas.addEventListener('pointermove', (e) => {
      const r = this.rectAt(e.offsetX, e.offsetY);
      if (!r || !this.root) return this.tooltip.hide();
      const n = r.node;
      this.tooltip.show([n.name || '(anonymous)', `self ${ms(n.self)} · total ${ms(n.total)}`,
        `${percent(n.total / Math.max(1, this.root.total))} of the graph`, location(n.file, n.line), notSampledMeaning(n)].filter(Boolean), e.offsetX, e.offsetY);
    });
    this.canvas.addEventListener('pointerleave', () => this.tooltip.hide());
    this.canvas.addEventListener('click', (e) => {
      const r = this.rectAt(e.offsetX, e.offsetY);
      if (!r) return;
      this.focus = r.path;
      this.selected = r.path;
      this.request();
    });
    this.canvas.addEventListener('contextmenu', (e) => {
      const r = this.rectAt(e.offsetX, e.offsetY);
      if (!r || r.path.length === 0) return;
      e.preventDefault();
      this.tooltip.hide();
      this.selected = r.path;
      this.draw();
      this.openMenu(e.offsetX, e.offsetY + 8);
    });
    this.canvas.addEventListener('keydown', (e) => {
      if (!this.root) return;
      if (e.key === 'ContextMenu' || (e.key === 'F10' && e.shiftKey)) {
        e.preventDefault();
        const sel = this.rects.find((r) => samePath(r.path, this.selected) && !r.ancestor);
        this.openMenu(sel ? sel.x + 4 : 4, sel ? (sel.depth + 1) * ROW_H : ROW_H);
        return;
      }
      const sel = this.selected;
      const chain = nodeAtPath(this.root, sel);
      const node = chain?.[chain.length - 1];
      const moves: Record<string, () => void> = {
        ArrowUp: () => { if (sel.length > 0) this.selected = sel.slice(0, -1); },
        ArrowDown: () => { if (node && node.children.length > 0) this.selected = [...sel, 0]; },
        ArrowLeft: () => { if (sel.length > 0 && sel[sel.length - 1] > 0) this.selected = [...sel.slice(0, -1), sel[sel.length - 1] - 1]; },
        ArrowRight: () => {
          const parent = chain?.[chain.length - 2];
          if (parent && sel[sel.length - 1] + 1 < parent.children.length) this.selected = [...sel.slice(0, -1), sel[sel.length - 1] + 1];
        },
        Enter: () => { this.focus = this.selected; },
        Escape: () => { this.focus = []; },
        o: () => { if (node) this.openSource(node); },
      };
      const action = moves[e.key];
      if (action) { e.preventDefault(); action(); this.request(); }
    });
  }
}

function samePath(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
