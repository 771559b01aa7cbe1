// Flame chart: the time-ordered stacks of one thread on the timeline's time axis (they share the
// visible window), with that thread's task spans drawn above, so a span and the code that ran
// inside it sit one above the other.
import { flameChartOfSamples, type ChartFrame } from '../src/model/flame';
import type { CallSamples } from '../src/model/transforms';
import { FrameMenu, TransformBar } from './transform-bar';
import type { Store } from './store';
import { el, ms, location } from './dom';
import { fitText, frameScheduler, sizeCanvas, Tooltip } from './canvas';
import { frameColor, readPalette, regionColor, textOn } from './theme';
import { chartRects } from './layout-flame';
import { spanRects, timeTicks, visibleSpans, type LaneIndex } from './layout-timeline';
import { bindTimeAxis } from './time-axis-input';
import { noSamplesNote } from './no-samples';
import { GapNote } from './gap-note';
import { NOT_SAMPLED_FRAME, NOT_SAMPLED_MEANING } from '../src/model/unsampled';
import { LaneGaps } from './lane-gaps';
import { describeSelection, selectionByThread } from './explore-panel';

const AXIS_H = 20;
const SPAN_H = 14;
const ROW_H = 16;
const TOP = AXIS_H + SPAN_H + 6;
const MAX_DEPTH = 48;

export class FlameChartView {
  readonly element: HTMLElement;
  /** Takes the focus when an action in another view switches here (App.show). */
  get focusTarget(): HTMLElement | undefined { return this.canvas.isConnected ? this.canvas : undefined; }
  private readonly canvas = el('canvas', { id: 'flamechart', tabindex: 0, role: 'application', 'aria-roledescription': 'flame chart',
    'aria-label': `Flame chart of the selected thread. Arrow keys pan and zoom, Home shows the whole run.` });
  private readonly box = el('div', { class: 'pp-canvas-box' });
  private readonly tooltip = new Tooltip(this.box);
  private readonly threadSelect = el('select', { id: 'chart-thread', 'aria-label': 'Thread shown in the flame chart' });
  private readonly windowOut = el('output', { id: 'chart-window' });
  /** What the chart shows while tasks are selected (only their samples), and what to do when that is nothing here. */
  private readonly selectionNote = el('div', { class: 'pp-hint pp-gap-note', id: 'chart-selection', role: 'status', hidden: true });
  /** The note's text and actions as last shown: rebuilt only when they change (draw runs on every frame of a pan). */
  private selectionNoteKey = '';
  private readonly request = frameScheduler(() => this.draw());
  private cache: { thread: number; samples: CallSamples; from: number; to: number; pxUs: number; frames: ChartFrame[] } | undefined;
  private rects: ReturnType<typeof chartRects<ChartFrame>> = [];
  private readonly lanes = new Map<number, LaneIndex>();
  private readonly menu: FrameMenu;
  private readonly gapNote: GapNote;
  private readonly gaps: LaneGaps;

  constructor(private readonly store: Store) {
    // A window of a report: Home shows the window.
    if (store.slice) this.canvas.setAttribute('aria-label', this.canvas.getAttribute('aria-label')!.replace('the whole run', 'the whole window'));
    const withProfile = store.report.threads.filter((t) => store.report.profiles.some((p) => p.thread === t.id));
    // Default to the busiest profiled worker: that is the thread people ask about.
    // The thread chosen before (view state) wins.
    const busiest = withProfile.find((t) => t.id === store.chartThread) ?? [...withProfile].sort((a, b) => busy(store, b.id) - busy(store, a.id))[0];
    for (const t of withProfile) this.threadSelect.append(el('option', { value: t.id, selected: t === busiest }, t.name));
    this.threadSelect.addEventListener('change', () => this.showThread(this.thread()));
    // The timeline's lanes (one per thread, shared): not built again for this view.
    for (const l of store.laneIndexes()) this.lanes.set(l.thread, l);
    this.box.append(this.canvas);
    this.menu = new FrameMenu(this.box, store);
    const toolbar = el('div', { class: 'pp-toolbar', role: 'toolbar', 'aria-label': 'Flame chart controls' }, this.threadSelect, this.windowOut);
    const body = withProfile.length ? this.box : noSamplesNote(store.report) ?? el('p', {}, 'No CPU profile was recorded for any thread.');
    this.gapNote = new GapNote(store.report, 'chart-gap-note', 'the flame chart');
    this.gaps = new LaneGaps(store.report);
    this.element = el('section', { 'aria-label': 'Flame chart' }, toolbar, new TransformBar(store, 'chart').element, this.gapNote.element, this.selectionNote, body,
      el('p', { class: 'pp-hint' }, 'Shares the time axis with the timeline: zoom or pan either one and both follow. The top strip shows this thread\'s tasks. Right-click a frame to merge, focus on or drop its function in every view.'));
    store.on('window', () => this.request());
    store.on('transforms', () => this.request());
    store.on('selection', () => this.request());
    new ResizeObserver(() => this.request()).observe(this.box);
    this.bindInput();
  }

  /** Shows a thread, and keeps the choice in the view state. */
  private showThread(thread: number): void {
    this.threadSelect.value = String(thread);
    this.store.setChartThread(thread);
    this.request();
  }

  private thread(): number {
    return Number(this.threadSelect.value);
  }

  private frames(from: number, to: number, width: number): ChartFrame[] {
    const thread = this.thread();
    const pxUs = (to - from) / width;
    const c = this.cache;
    // flameChart walks the whole profile; reuse its bars while the window stays inside the cached
    // span and the zoom level is close, so panning costs a cull, not a rebuild.
    // The store's transformed samples are a new object after every transform change.
    // Selected tasks (timeline, durations): only the samples inside them.
    const samples = this.store.selectedTransformed();
    if (c && c.thread === thread && c.samples === samples && from >= c.from && to <= c.to && pxUs >= c.pxUs && pxUs < c.pxUs * 2) return c.frames;
    const ofThread = samples.threads.find((t) => t.thread === thread);
    if (!ofThread) return [];
    const span = to - from;
    const cf = Math.max(0, from - span);
    const ct = Math.min(this.store.endUs, to + span);
    const frames = flameChartOfSamples(samples.stacks, ofThread, cf, ct, { maxDepth: MAX_DEPTH, minWidthUs: pxUs / 2 });
    this.cache = { thread, samples, from: cf, to: ct, pxUs: pxUs / 1.5, frames };
    return frames;
  }

  draw(): void {
    if (!this.element.isConnected || this.box.clientWidth === 0 || this.threadSelect.options.length === 0) return;
    const { from, to } = this.store.window;
    this.windowOut.textContent = `Showing ${ms(from)} – ${ms(to)}`;
    const width = this.box.clientWidth;
    const frames = this.frames(from, to, width);
    const thread = this.thread();
    this.gapNote.update(this.store.selection ? { threads: [thread], pairs: selectionByThread(this.store) } : { threads: [thread], from, to });
    this.rects = chartRects(frames, from, to, width);
    const depth = this.rects.reduce((d, r) => Math.max(d, r.depth), 0) + 1;
    // The rows of frames drawn (0 with none), for the browser test to check against the model.
    this.canvas.dataset.rows = String(this.rects.length ? depth : 0);
    const height = TOP + Math.max(6, depth) * ROW_H;
    const ctx = sizeCanvas(this.canvas, width, height);
    const pal = readPalette(this.element);
    ctx.clearRect(0, 0, width, height);
    ctx.font = '11px sans-serif';
    ctx.textBaseline = 'middle';
    for (const tick of timeTicks(from, to, width)) {
      ctx.fillStyle = pal.grid;
      ctx.fillRect(Math.round(tick.x), AXIS_H - 6, 1, height);
      ctx.fillStyle = pal.muted;
      ctx.fillText(tick.label, Math.round(tick.x) + 3, AXIS_H / 2);
    }
    const lane = this.lanes.get(this.thread());
    ctx.fillStyle = pal.laneBackground;
    ctx.fillRect(0, AXIS_H, width, SPAN_H);
    if (lane) {
      const [lo, hi] = visibleSpans(lane, from, to);
      const rects = spanRects(lane, lo, hi, from, to, width);
      for (let i = 0; i < rects.count; i++) {
        ctx.fillStyle = regionColor(rects.region[i]);
        ctx.fillRect(rects.x0[i], AXIS_H, rects.x1[i] - rects.x0[i], SPAN_H);
      }
    }
    for (const r of this.rects) {
      const y = TOP + r.depth * ROW_H;
      const fill = frameColor(r.frame.name, r.frame.file);
      ctx.fillStyle = fill;
      ctx.fillRect(r.x, y, Math.max(0.5, r.width - 0.5), ROW_H - 1);
      const label = fitText(ctx, r.frame.name || '(anonymous)', r.width - 6);
      if (label) { ctx.fillStyle = textOn(fill); ctx.fillText(label, r.x + 3, y + ROW_H / 2); }
    }
    this.gaps.draw(ctx, pal, thread, AXIS_H, height - AXIS_H, width, from, to);
    this.updateSelectionNote(thread, this.rects.length > 0);
  }

  /**
   * With a selection the chart draws only its samples, which may be none on this thread or none in
   * the window: say which, and offer the way out (the thread that has them, a zoom to them, clearing it).
   */
  private updateSelectionNote(thread: number, drawn: boolean): void {
    const sel = this.store.selection;
    const actions: [string, () => void][] = [];
    let text = '';
    if (sel) {
      const name = (id: number) => this.store.report.threads.find((t) => t.id === id)?.name ?? `thread ${id}`;
      const picked = this.store.samplesOf();
      const count = (id: number) => picked?.get(id)?.length ?? 0;
      const said = `Showing only the samples of the selection (${describeSelection(this.store, sel)})`;
      if (count(thread) === 0) {
        text = `${said}: none on ${name(thread)}.`;
        const other = [...this.threadSelect.options].map((o) => Number(o.value)).filter((id) => count(id) > 0).sort((a, c) => count(c) - count(a))[0];
        if (other !== undefined) actions.push([`Show ${name(other)}`, () => this.showThread(other)]);
      } else if (!drawn) {
        const bounds = selectionByThread(this.store).get(thread) ?? [];
        let lo = Infinity, hi = -Infinity;
        for (let i = 0; i + 1 < bounds.length; i += 2) { lo = Math.min(lo, bounds[i]); hi = Math.max(hi, bounds[i + 1]); }
        const { from, to } = this.store.window;
        if (lo <= hi && (hi < from || lo > to)) {
          text = `${said}: none in the visible window on ${name(thread)}.`;
          const pad = Math.max(1, (hi - lo) * 0.05);
          actions.push(['Zoom to them', () => this.store.setWindow(lo - pad, hi + pad)]);
        } else text = `${said}: those on ${name(thread)} here are no code to draw (idle, or left out by the transforms).`;
      } else text = `${said} on ${name(thread)}.`;
      actions.push(['Clear the selection', () => this.store.setSelection(undefined)]);
    }
    const key = `${text}\u0000${actions.map((a) => a[0]).join('\u0000')}`;
    if (key === this.selectionNoteKey) return;
    this.selectionNoteKey = key;
    this.selectionNote.hidden = !sel;
    this.selectionNote.replaceChildren(text, ...actions.map(([label, run]) => {
      const b = el('button', { type: 'button' }, label);
      // The note is rebuilt by what the button does: the focus goes to the chart, not to <body>.
      b.addEventListener('click', () => { run(); this.canvas.focus(); });
      return el('span', {}, ' ', b);
    }));
  }

  private bindInput(): void {
    // Pan and zoom are the timeline's (time-axis-input.ts): the two views share the axis and its keys.
    bindTimeAxis(this.canvas, this.store, {
      width: () => Math.max(1, this.box.clientWidth),
      onHover: (x, y) => {
        const r = this.frameAt(x, y);
        const { from, to } = this.store.window;
        const width = Math.max(1, this.box.clientWidth);
        const lost = this.gaps.lineAt(this.thread(), from + (x / width) * (to - from), (to - from) / width);
        if (!r) return lost ? this.tooltip.show([lost], x, y) : this.tooltip.hide();
        this.tooltip.show([r.frame.name || '(anonymous)', `${ms(r.frame.end - r.frame.start)} from ${ms(r.frame.start)}`,
          location(r.frame.file, r.frame.line), r.frame.key === NOT_SAMPLED_FRAME.key ? NOT_SAMPLED_MEANING : ''].filter(Boolean), x, y);
      },
      onLeave: () => this.tooltip.hide(),
    });
    // The frame transforms of the flamegraph and call tree, on a right-click (they apply to every view).
    this.canvas.addEventListener('contextmenu', (e) => {
      const r = this.frameAt(e.offsetX, e.offsetY);
      if (!r?.frame.key) return;
      e.preventDefault();
      this.tooltip.hide();
      this.menu.open({ key: r.frame.key, name: r.frame.name, file: r.frame.file }, e.offsetX, e.offsetY + 8);
    });
  }

  private frameAt(x: number, y: number): (typeof this.rects)[number] | undefined {
    const depth = Math.floor((y - TOP) / ROW_H);
    return this.rects.find((q) => q.depth === depth && x >= q.x && x < q.x + q.width);
  }
}

function busy(store: Store, thread: number): number {
  // A window's whole-run metrics may not be in yet: no thread is the busiest then.
  return store.hasMetrics ? store.metrics.threads.find((t) => t.id === thread)?.busyMs ?? 0 : 0;
}
