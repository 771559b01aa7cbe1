// Timeline, the first screen: headline numbers; one lane per thread on a shared time axis, task
// spans coloured by region, idle gaps as empty lane, under the bars a graph of what the thread's
// CPU samples were doing (and its on-CPU share), a utilization strip (busy threads over time),
// event-loop utilization per thread, steal and error markers; beside it the top functions of the
// visible range or of the selection. Wheel/drag/keyboard zoom and pan (time-axis-input.ts);
// Shift+drag selects a time range; a click selects a task, a thread name its thread; the
// selection's samples feed the flamegraph, the top functions and, against a baseline, the diff.
import type { ThreadInfo } from '../src/model/report';
import { CUT_OFF_WORDS, SPAN_CUT_OFF, tasksAreQueued } from '../src/model/report';
import type { Store } from './store';
import { el, ms } from './dom';
import { frameScheduler, sizeCanvas, Tooltip } from './canvas';
import { readPalette, regionColor, type Palette } from './theme';
import {
  buildCoverage, coverageBins, coverageColumns, firstBins, eluRuns, exactColumns, exactCoverage, formatTime, laneBoxes, spanAt,
  spanRects, timeTicks, visibleSpans, type CoveragePyramid, type LaneBox, type LaneIndex,
} from './layout-timeline';
import { LaneExtras } from './timeline-waits';
import { bindTimeAxis, zoomBy } from './time-axis-input';
import { LaneActivity, categoryColors, CATEGORY_LABELS, DRAWN_CATEGORIES } from './lane-activity';
import { LaneGaps } from './lane-gaps';
import { ExploreSide, SelectionBar, headline, selectionByThread } from './explore-panel';
import { TaskPicker } from './timeline-select';
import { regionLabel } from '../src/model/region-labels';

const AXIS_H = 22;
const UTIL_H = 36;
/** Lane height bounds, px: lanes grow from the minimum to fill the panel's height, up to the maximum. */
const LANE_MIN_H = 22;
const LANE_MAX_H = 120;
/** Room kept below the lanes for the legend and the hint, px. */
const BELOW_LANES = 96;
const GAP = 4;
const LANES_TOP = AXIS_H + UTIL_H + 8;
/** Share of a profiled lane's height given to its CPU activity graph, and its minimum, px. */
const ACTIVITY_SHARE = 0.35;
const ACTIVITY_MIN_H = 8;
/** The windows painted unseen once the page is idle (TimelineView.warm): the one shown, zoomed in by each of these. */
const WARM_ZOOMS = [4, 32, 256, 2048];

export class TimelineView {
  readonly element: HTMLElement;
  /** Takes the focus when an action in another view switches here (App.show). */
  get focusTarget(): HTMLElement { return this.canvas; }
  private readonly canvas = el('canvas', { tabindex: 0, role: 'application', 'aria-roledescription': 'timeline',
    'aria-label': `Timeline of every thread. Arrow keys pan and zoom, Home shows the whole run, Shift+drag selects a time range. ` +
      'Close and open brackets move between tasks, Page Up and Page Down between threads, Space selects the task (Control+Space adds it), ' +
      'T selects the thread (Shift+T adds it to the threads chosen), Enter selects the visible range, Escape clears the selection.' });
  private readonly focusOut = el('output', { id: 'timeline-focus', class: 'pp-sr-only', 'aria-live': 'polite' });
  private readonly box = el('div', { class: 'pp-canvas-box' });
  private readonly tooltip = new Tooltip(this.box);
  private readonly windowOut = el('output', { id: 'timeline-window', 'aria-live': 'polite' });
  private readonly rangeOut = el('output', { id: 'timeline-range', 'aria-live': 'polite' });
  private readonly lanes: LaneIndex[];
  private readonly pyramids: (CoveragePyramid | undefined)[];
  /** Whether the busy lanes' finer pyramids (coverageBins) are being built, a lane at a time when the page is idle. */
  private refining = false;
  /** The lanes' top (page px) when they were last fitted: fitLanes. */
  private fitTop = NaN;
  private readonly threadName = new Map<number, string>();
  private readonly threadInfo = new Map<number, ThreadInfo>();
  private readonly request = frameScheduler(() => this.draw());
  /** Blocking waits and descheduled stretches per lane (report format 2). */
  private readonly extras: LaneExtras;
  /** Per thread, the runs of its ELU series drawn as one line each (eluRuns), made on the first draw. */
  private readonly eluRunsOf = new Map<number, [number, number][]>();
  /** CPU activity graph under each profiled lane. */
  private readonly activity: LaneActivity;
  /** Stretches whose CPU samples were lost (dropped.sampleGaps), over each lane. */
  private readonly gaps: LaneGaps;
  private readonly side: ExploreSide;
  /** Lane geometry of the last fit (laneBoxes). */
  private boxes: LaneBox[] = [];
  /** Task and thread selection, by pointer and by keyboard. */
  private readonly picker: TaskPicker;
  /** The selection's intervals per thread, as [start, end] pairs. */
  private selected: ReadonlyMap<number, Float64Array> = new Map();
  private legendExtra: HTMLElement | undefined;
  /** Last draw's time in ms, read by the benchmark. */
  lastDrawMs = 0;
  /** Windows painted unseen so far by warm(), read by its test. */
  warmedWindows = 0;
  /** Lane height now, px (fitLanes). */
  private laneH = LANE_MIN_H;
  private readonly laneLabels: { labels: HTMLElement; items: HTMLElement[] } = { labels: el('div'), items: [] };

  constructor(private readonly store: Store) {
    // A window of a report: Home shows the window.
    if (store.slice) this.canvas.setAttribute('aria-label', this.canvas.getAttribute('aria-label')!.replace('the whole run', 'the whole window'));
    const report = store.report;
    const threads = [...report.threads].sort((a, b) => a.id - b.id);
    for (const t of threads) { this.threadName.set(t.id, t.name); this.threadInfo.set(t.id, t); }
    // In thread id order, as `threads`: built by the decoder's worker for a packed report.
    this.lanes = store.laneIndexes();
    this.pyramids = this.lanes.map(() => undefined);
    this.extras = new LaneExtras(report);
    this.activity = new LaneActivity(report);
    this.gaps = new LaneGaps(report);
    this.picker = new TaskPicker(store, this.lanes, this.threadName, this.focusOut, () => this.request(), (t, a, b) => this.gaps.describe(t, a, b));

    const button = (label: string, onClick: () => void, name = label) => {
      const b = el('button', { type: 'button', 'aria-label': name }, label);
      b.addEventListener('click', onClick);
      return b;
    };
    const toolbar = el('div', { class: 'pp-toolbar', role: 'toolbar', 'aria-label': 'Timeline controls' },
      button('+', () => zoomBy(store, 0.5), 'Zoom in'),
      button('−', () => zoomBy(store, 2), 'Zoom out'),
      // A window of a report: its whole window (Earlier / Later above move it).
      store.slice ? button('Whole window', () => store.setWindow(0, store.endUs), 'Show the whole of this window of the run') : button('Whole run', () => store.setWindow(0, store.endUs), 'Show the whole run'),
      button('Select visible', () => store.setRange({ ...store.window }), 'Select the visible time range'),
      button('Clear range', () => store.setRange(undefined), 'Clear the selected time range'),
      this.windowOut, el('span', { class: 'pp-spacer' }), this.rangeOut);

    const labels = el('div', { class: 'pp-lanes', 'aria-hidden': 'false' });
    const busyLabel = el('div', { class: 'pp-hint' }, 'busy threads');
    busyLabel.style.position = 'absolute';
    busyLabel.style.top = `${AXIS_H + UTIL_H / 2 - 8}px`;
    busyLabel.style.right = '6px';
    const list = el('ol', { class: 'pp-lanes', 'aria-label': 'Threads', id: 'timeline-lanes' });
    list.style.position = 'absolute';
    list.style.top = `${LANES_TOP}px`;
    list.style.width = '100%';
    // Several processes: lanes come grouped (thread ids are numbered process by process), and
    // the first lane of each group carries its process's header.
    const processOf = new Map((report.processes ?? []).map((p) => [p.pid, p]));
    let lastProcess: number | undefined;
    threads.forEach((t, k) => {
      const lane = this.lanes[k];
      const lost = this.gaps.describe(t.id);
      const pick = el('button', { type: 'button', class: 'pp-lane-button', 'aria-label': `Select ${t.name}: its samples over the selected range, or the whole run (Control: add or remove it)` +
        lost.map((x) => `. ${x}`).join('') }, t.died ? `${t.name} ✝` : t.name);
      pick.addEventListener('click', (e) => this.picker.selectThread(t.id, e.ctrlKey || e.metaKey));
      const proc = t.process !== undefined ? processOf.get(t.process) : undefined;
      const where = proc ? `process ${proc.pid} (${proc.title})${proc.died ? `, died: ${proc.died.reason}` : ''}` : '';
      const head = proc && t.process !== lastProcess
        ? [el('span', { class: `pp-process-head${proc.died ? ' pp-dead' : ''}`, 'data-process': proc.pid }, `pid ${proc.pid} · ${proc.title}`)] : [];
      lastProcess = t.process;
      const item = el('li', { 'data-thread': t.id, 'data-tasks': lane.start.length, ...(proc ? { 'data-process': proc.pid } : {}),
        ...(lost.length ? { 'data-sample-gaps': lost.length } : {}),
        class: [t.died ? 'pp-dead' : '', head.length ? 'pp-process-first' : ''].filter(Boolean).join(' ') || undefined,
        title: where ? `${t.name} — ${where}` : t.name }, ...head, pick);
      this.laneLabels.items.push(item);
      list.append(item);
    });
    labels.append(busyLabel, list);
    this.laneLabels.labels = labels;
    this.placeLabels();
    this.box.append(this.canvas);
    const legend = el('div', { class: 'pp-legend', 'aria-label': 'Legend' });
    for (const r of report.regions.slice(0, 12)) {
      const s = el('span', {}, regionLabel(report.regions, r.id));
      s.style.setProperty('--swatch', regionColor(r.id));
      legend.append(s);
    }
    legend.append(el('span', { class: 'pp-hint' }, 'shaded: thread alive (empty = idle) · ▲ stolen task · line: event-loop utilization (broken where none was measured) · red tick: error/exit' +
      (this.extras.any ? ' · hatched bottom band: blocked in Atomics.wait · red top edge: runnable but waiting for a core (descheduled)' : '') +
      (this.gaps.any ? ' · grey cross-hatched band: CPU samples lost there (hover it for why)' : '')));
    if (report.profiles.length) {
      const activity = el('div', { class: 'pp-legend', id: 'timeline-activity-legend', 'aria-label': 'CPU activity legend' },
        el('span', { class: 'pp-hint pp-no-swatch' }, 'Graph under each lane, CPU samples by kind:'));
      for (const c of DRAWN_CATEGORIES) {
        const s = el('span', {}, CATEGORY_LABELS[c]);
        s.style.setProperty('--swatch', `var(--pp-cat-${c})`);
        activity.append(s);
      }
      activity.append(el('span', { class: 'pp-hint pp-no-swatch' }, `empty: idle or no samples${report.cpu?.length ? ' · line: share of the time on a CPU' : ''}`));
      this.legendExtra = activity;
    }
    const hint = el('p', { class: 'pp-hint' }, 'Wheel or +/− to zoom, drag or arrow keys to pan, Shift+drag to select a range (it narrows the flamegraph), click a task or a thread name to see its code (Ctrl+click adds), double-click a task to zoom to it.');
    const bar = new SelectionBar(store);
    this.side = new ExploreSide(store);
    const lanesPart = el('div', { class: 'pp-explore-main' }, toolbar, el('div', { class: 'pp-timeline' }, labels, this.box), legend, ...(this.legendExtra ? [this.legendExtra] : []), hint);
    this.element = el('section', { 'aria-label': 'Timeline' }, headline(store, 'timeline-headline'), bar.element,
      el('div', { class: 'pp-explore' }, lanesPart, this.side.element), this.side.diff.element, this.focusOut);
    this.selected = selectionByThread(store);

    store.on('window', () => this.request());
    store.on('range', () => this.request());
    store.on('span', () => this.request());
    store.on('selection', () => { this.selected = selectionByThread(store); this.request(); });
    new ResizeObserver(() => this.request()).observe(this.box);
    // Lanes fit the room below their top (fitLanes), which moves when the part above them changes
    // height (the headline numbers replace "Computing…"): redrawn then, not at the next zoom, which
    // would also pay for the canvas's new size (~6 MB written anew, 10-20 ms on a 1M-span report).
    new ResizeObserver(() => { if (this.box.isConnected && this.box.getBoundingClientRect().top + window.scrollY !== this.fitTop) this.request(); }).observe(this.element);
    // The panel's height changes without the box's width changing.
    window.addEventListener('resize', () => this.request());
    this.bindInput();
  }

  /**
   * Lanes share the height the panel has below the lanes' top (less room for the legend), within
   * LANE_MIN_H…LANE_MAX_H: few threads get tall lanes, many keep the minimum and scroll.
   */
  private fitLanes(): void {
    const top = this.box.getBoundingClientRect().top + window.scrollY;
    this.fitTop = top;
    const room = document.documentElement.clientHeight - top - LANES_TOP - BELOW_LANES;
    const fit = Math.floor(room / Math.max(1, this.lanes.length) - GAP);
    const laneH = Math.max(LANE_MIN_H, Math.min(LANE_MAX_H, fit));
    if (laneH === this.laneH && this.boxes.length === this.lanes.length) return;
    this.laneH = laneH;
    this.boxes = laneBoxes(this.lanes.map((l) => l.thread), LANES_TOP, laneH, GAP);
    this.placeLabels();
  }

  private placeLabels(): void {
    if (this.boxes.length !== this.lanes.length) this.boxes = laneBoxes(this.lanes.map((l) => l.thread), LANES_TOP, this.laneH, GAP);
    this.laneLabels.items.forEach((item, k) => {
      item.style.top = `${this.boxes[k].y - LANES_TOP}px`;
      item.style.height = `${this.boxes[k].height}px`;
    });
    this.laneLabels.labels.style.height = `${this.height()}px`;
  }

  private height(): number {
    const last = this.boxes[this.boxes.length - 1];
    return (last ? last.y + last.height + GAP : LANES_TOP) + 4;
  }

  /** Height of the CPU activity graph at the bottom of lane k (0 for a thread without a profile). */
  private activityH(k: number): number {
    return this.activity.has(this.lanes[k].thread) ? Math.max(ACTIVITY_MIN_H, Math.round(this.laneH * ACTIVITY_SHARE)) : 0;
  }

  private width(): number {
    return Math.max(100, this.box.clientWidth);
  }

  private timeAt(x: number): number {
    const { from, to } = this.store.window;
    return from + (x / this.width()) * (to - from);
  }

  /** Lane index under y (CSS px), or -1 (between lanes or outside). */
  private laneAt(y: number): number {
    const k = Math.floor((y - LANES_TOP) / (this.laneH + GAP));
    const box = this.boxes[k];
    return box && y >= box.y && y <= box.y + box.height ? k : -1;
  }

  private bindInput(): void {
    const store = this.store;
    bindTimeAxis(this.canvas, store, {
      width: () => this.width(),
      onSelect: (from, to) => store.setRange({ from, to }),
      onClick: (x, y, e) => {
        const hit = this.hitSpan(x, y);
        if (hit >= 0) this.picker.selectSpan(hit, e.ctrlKey || e.metaKey);
      },
      onHover: (x, y) => this.hover(x, y),
      onLeave: () => this.tooltip.hide(),
      keys: {
        Escape: () => { store.setRange(undefined); store.setSelection(undefined); },
        Enter: () => store.setRange({ ...store.window }),
        ']': () => this.picker.moveTask(1),
        '[': () => this.picker.moveTask(-1),
        PageDown: () => this.picker.moveLane(1),
        PageUp: () => this.picker.moveLane(-1),
        ' ': (e) => { if (store.focusedSpan >= 0) this.picker.selectSpan(store.focusedSpan, e.ctrlKey || e.metaKey); },
        t: () => this.picker.selectKeyLane(false),
        T: () => this.picker.selectKeyLane(true),
      },
    });
    this.canvas.addEventListener('dblclick', (e) => {
      const hit = this.hitSpan(e.offsetX, e.offsetY);
      if (hit >= 0) store.showSpan(hit);
    });
  }

  /** The report span index under (x, y) in CSS px, or -1. */
  private hitSpan(x: number, y: number): number {
    const k = this.laneAt(y);
    if (k < 0) return -1;
    const { from, to } = this.store.window;
    const pxUs = (to - from) / this.width();
    const i = spanAt(this.lanes[k], this.timeAt(x), 3 * pxUs);
    return i < 0 ? -1 : this.lanes[k].span[i];
  }

  /** Tooltip lines for the lane at x: its CPU activity (over the graph), a blocking wait, time waiting for a core. */
  private extraLines(lane: number, x: number, y: number): string[] {
    if (lane < 0 || lane >= this.lanes.length) return [];
    const thread = this.lanes[lane].thread;
    const { from, to } = this.store.window;
    const t = this.timeAt(x);
    const out: string[] = [];
    const lost = this.gaps.lineAt(thread, t, (to - from) / this.width());
    if (lost) out.push(lost);
    const box = this.boxes[lane];
    // Over the activity graph: what the samples of this pixel column were doing.
    if (y >= box.y + box.height - this.activityH(lane)) out.push(...this.activity.linesAt(thread, x, this.width(), from, to));
    const w = this.extras.waitAt(thread, t, 2 * ((to - from) / this.width()));
    if (w) out.push(`blocked in Atomics.wait: ${ms(w[1] - w[0])} (from ${ms(w[0])})`);
    const d = this.extras.descheduledAt(thread, t);
    if (d !== undefined && d >= 0.05) out.push(`waiting for a core ${Math.round(d * 100)} % of this stretch (descheduled)`);
    return out;
  }

  private hover(x: number, y: number): void {
    const s = this.store.report.spans;
    const k = this.hitSpan(x, y);
    const laneAt = this.laneAt(y);
    if (k < 0) {
      const lane = laneAt;
      if (lane < 0) { this.tooltip.hide(); return; }
      const extra = this.extraLines(lane, x, y);
      // Where the samples were lost the thread may have been running: no span is all that is known.
      const what = this.gaps.lineAt(this.lanes[lane].thread, this.timeAt(x), 0) ? 'no task span recorded here' : 'idle';
      this.tooltip.show([`${this.threadName.get(this.lanes[lane].thread)}: ${what}`, `at ${ms(this.timeAt(x))}`, ...extra], x, y);
      return;
    }
    const region = this.store.report.regions.find((r) => r.id === s.region[k]);
    const lines = [
      `${region?.name ?? `region ${s.region[k]}`} · task ${s.index[k]}`,
      `thread: ${this.threadName.get(s.thread[k]) ?? s.thread[k]}`,
      `start: ${ms(s.start[k])}   duration: ${ms(s.end[k] - s.start[k])}`,
    ];
    // Only queued tasks waited in a queue; a pulled chunk's start − enqueue is its place in line.
    if (!region || tasksAreQueued(region.kind)) lines.push(`queue wait: ${ms(Math.max(0, s.start[k] - s.enqueue[k]))}`);
    if (s.items[k] > 1) lines.push(`items: ${s.first[k]}–${s.first[k] + s.items[k] - 1} (${s.items[k]})`);
    if (s.stolenFrom[k] >= 0) lines.push(`stolen from: ${this.threadName.get(s.stolenFrom[k]) ?? s.stolenFrom[k]}`);
    if (s.failed[k]) lines.push('threw an error');
    if (((s.flags?.[k] ?? 0) & SPAN_CUT_OFF) !== 0) lines.push(CUT_OFF_WORDS);
    lines.push(...this.extraLines(laneAt, x, y));
    this.tooltip.show(lines, x, y);
  }

  /** Redraws now (views call it when they become visible). */
  draw(): void {
    if (!this.element.isConnected || this.box.clientWidth === 0) return;
    this.side.refresh();
    const t0 = performance.now();
    const { from, to } = this.store.window;
    this.windowOut.textContent = `Showing ${formatTime(from, (to - from) / 100)} – ${formatTime(to, (to - from) / 100)} (${ms(to - from)})`;
    this.windowOut.dataset.from = String(from);
    this.windowOut.dataset.to = String(to);
    const r = this.store.range;
    this.rangeOut.textContent = r ? `Selected ${ms(r.from)} – ${ms(r.to)} (${ms(r.to - r.from)})` : 'No range selected';
    this.rangeOut.dataset.from = r ? String(r.from) : '';
    this.rangeOut.dataset.to = r ? String(r.to) : '';
    const width = this.width();
    this.fitLanes();
    const ctx = sizeCanvas(this.canvas, width, this.height());
    this.paint(ctx, width, from, to);
    this.lastDrawMs = performance.now() - t0;
    this.refinePyramids();
  }

  /** The canvas's picture of [from, to] at `width` px: axis, lanes, activity graphs, utilization, overlays. */
  private paint(ctx: CanvasRenderingContext2D, width: number, from: number, to: number): void {
    // Read every draw: VS Code can switch the theme while the panel is open.
    const pal = readPalette(this.element);
    ctx.clearRect(0, 0, width, this.height());
    this.drawAxis(ctx, pal, width, from, to);
    const util = new Float32Array(width);
    const colors = categoryColors(this.element);
    this.lanes.forEach((lane, k) => this.drawLane(ctx, pal, lane, k, width, util, from, to));
    this.lanes.forEach((lane, k) => {
      const h = this.activityH(k);
      const box = this.boxes[k];
      if (h > 0) this.activity.draw(ctx, pal, colors, lane.thread, box.y + box.height - h, h, width, from, to);
      this.gaps.draw(ctx, pal, lane.thread, box.y, box.height, width, from, to);
    });
    this.drawUtilization(ctx, pal, util, width);
    this.drawOverlays(ctx, pal, width, from, to);
  }

  /**
   * After the first draw, when the page is idle (after warm), each busy lane's pyramid is rebuilt finer: the
   * first draw's is only as fine as its window needs (firstBins), and zoomed in a few steps on ten
   * million spans the window is finer than 2^15 bins yet holds thousands of spans a lane, which
   * then cost a pass each frame (coverageBins: 2^18 bins for 625k spans). Not before the first
   * draw: sixteen such lanes take a few hundred ms to build.
   */
  private refinePyramids(): void {
    if (this.refining) return;
    this.refining = true;
    const idle = (f: () => void) => (typeof requestIdleCallback === 'function' ? requestIdleCallback(f, { timeout: 2000 }) : setTimeout(f, 50));
    let k = 0;
    const next = () => {
      while (k < this.lanes.length && coverageBins(this.lanes[k].start.length) <= (this.pyramids[k]?.levels[0].busy.length ?? 1 << 15)) k++;
      if (k >= this.lanes.length) return;
      const lane = this.lanes[k];
      this.pyramids[k] = buildCoverage(lane, this.store.endUs, coverageBins(lane.start.length));
      k++;
      idle(next);
    };
    this.warm(idle, () => idle(next));
  }

  /**
   * Before that, when idle, the timeline is painted once at each of WARM_ZOOMS (windows around the
   * middle of the one shown) on a canvas no one sees: zooming or panning a large report first
   * runs the code that draws spans one by one, per-pixel columns and activity graphs at fine
   * windows, and run cold (unoptimized, or optimized and then thrown away) those frames took 20-50 ms
   * each on 1M spans, against 5-10 ms warm. Before the pyramids, as a user may zoom at once (after
   * them it came ~1.8 s after a 1M-span first paint). One window per idle callback; nothing on
   * screen changes. Then `done`.
   */
  private warm(idle: (f: () => void) => void, done: () => void): void {
    const zooms = [...WARM_ZOOMS];
    // Let go when done: 1,600 × 900 px are ~6 MB (four times that at 2 device pixels a pixel).
    let scratch: HTMLCanvasElement | undefined = document.createElement('canvas');
    const next = () => {
      const zoom = zooms.shift();
      const width = this.canvas.width > 1 ? this.width() : 0;
      if (zoom === undefined || width <= 0 || !this.element.isConnected || !scratch) {
        scratch = undefined;
        done();
        return;
      }
      const { from, to } = this.store.window;
      const w = (to - from) / zoom;
      const mid = (from + to) / 2;
      this.paint(sizeCanvas(scratch, width, this.height()), width, mid - w / 2, mid + w / 2);
      this.warmedWindows++;
      idle(next);
    };
    idle(next);
  }

  private drawAxis(ctx: CanvasRenderingContext2D, pal: Palette, width: number, from: number, to: number): void {
    ctx.font = '11px sans-serif';
    ctx.textBaseline = 'middle';
    ctx.fillStyle = pal.grid;
    ctx.fillRect(0, AXIS_H - 1, width, 1);
    for (const tick of timeTicks(from, to, width)) {
      ctx.fillStyle = pal.grid;
      ctx.fillRect(Math.round(tick.x), AXIS_H - 6, 1, this.height());
      ctx.fillStyle = pal.muted;
      // A label that would be cut at the right edge is left out rather than shown truncated.
      if (tick.x + 3 + ctx.measureText(tick.label).width <= width) ctx.fillText(tick.label, Math.round(tick.x) + 3, AXIS_H / 2 - 1);
    }
  }

  private drawLane(ctx: CanvasRenderingContext2D, pal: Palette, lane: LaneIndex, k: number, width: number, util: Float32Array, from: number, to: number): void {
    const y = this.boxes[k].y;
    // Task bars take the lane's height above its CPU activity graph.
    const barsH = this.laneH - this.activityH(k);
    // The lane is shaded only while the thread was alive, so "idle" and "not started yet" differ.
    const info = this.threadInfo.get(lane.thread);
    const alive0 = Math.max(0, ((info?.start ?? 0) - from) * (width / (to - from)));
    const alive1 = Math.min(width, ((info?.died?.at ?? info?.end ?? this.store.endUs) - from) * (width / (to - from)));
    ctx.fillStyle = pal.laneBackground;
    if (alive1 > alive0) ctx.fillRect(alive0, y, alive1 - alive0, this.laneH);
    const [lo, hi] = visibleSpans(lane, from, to);
    let cols: ReturnType<typeof coverageColumns>;
    if (hi - lo > width * 2) {
      const pyramid = (this.pyramids[k] ??= buildCoverage(lane, this.store.endUs, firstBins(width, to - from, this.store.endUs)));
      // Finer than the pyramid's finest bins yet more spans than pixels (ten million spans zoomed
      // in a few steps): the same columns, from the window's spans in one pass.
      cols = coverageColumns(pyramid, from, to, width) ?? exactCoverage(lane, lo, hi, from, to, width);
    }
    if (cols) {
      // Dense: one column per pixel, its opacity the share of the pixel's time the thread was busy.
      // Runs of one region and opacity are gathered and each such set filled at once: a column per
      // pixel switching colour and opacity cost a frame's budget on a busy lane (10M spans, zoomed).
      const runs = new Map<number, Path2D>();
      let x = 0;
      while (x < width) {
        const level = Math.round(cols.busy[x] * 8);
        const region = cols.region[x];
        let x1 = x + 1;
        while (x1 < width && Math.round(cols.busy[x1] * 8) === level && cols.region[x1] === region) x1++;
        if (level > 0) {
          const key = region * 16 + level;
          let path = runs.get(key);
          if (!path) runs.set(key, (path = new Path2D()));
          path.rect(x, y, x1 - x, barsH);
        }
        x = x1;
      }
      for (const [key, path] of runs) {
        const level = ((key % 16) + 16) % 16;
        ctx.globalAlpha = level / 8;
        ctx.fillStyle = regionColor((key - level) / 16);
        ctx.fill(path);
      }
      ctx.globalAlpha = 1;
      for (let i = 0; i < width; i++) util[i] += cols.busy[i];
    } else {
      const rects = spanRects(lane, lo, hi, from, to, width);
      const s = this.store.report.spans;
      let color = -2;
      for (let i = 0; i < rects.count; i++) {
        if (rects.region[i] !== color) { color = rects.region[i]; ctx.fillStyle = regionColor(color); }
        ctx.fillRect(rects.x0[i], y, rects.x1[i] - rects.x0[i], barsH);
      }
      // Gaps between back-to-back tasks: a thin line so separate tasks read as separate.
      ctx.fillStyle = pal.background;
      for (let i = 0; i < rects.count; i++) if (rects.x1[i] - rects.x0[i] > 6) ctx.fillRect(rects.x1[i] - 1, y, 1, barsH);
      for (let i = 0; i < rects.count; i++) {
        const sk = rects.span[i];
        if (sk < 0) continue;
        if (s.stolenFrom[sk] >= 0) {
          ctx.fillStyle = pal.foreground;
          ctx.beginPath();
          ctx.moveTo(rects.x0[i], y);
          ctx.lineTo(rects.x0[i] + 6, y);
          ctx.lineTo(rects.x0[i], y + 6);
          ctx.fill();
        }
        if (s.failed[sk]) { ctx.fillStyle = pal.error; ctx.fillRect(rects.x0[i], y, rects.x1[i] - rects.x0[i], 3); }
        // A task cut off by the run's end (or its thread's death): its right edge is not an end, marked with a notch.
        if (((s.flags?.[sk] ?? 0) & SPAN_CUT_OFF) !== 0) {
          ctx.fillStyle = pal.error;
          ctx.beginPath();
          ctx.moveTo(rects.x1[i], y + barsH - 7);
          ctx.lineTo(rects.x1[i] - 6, y + barsH);
          ctx.lineTo(rects.x1[i], y + barsH);
          ctx.fill();
        }
      }
      const exact = exactColumns(lane, lo, hi, from, to, width);
      for (let i = 0; i < width; i++) util[i] += exact[i];
    }
    this.extras.draw(ctx, pal, lane.thread, y, this.laneH, width, from, to);
    this.drawElu(ctx, pal, lane.thread, y, barsH, width, from, to);
    for (const m of this.store.report.markers) {
      if (m.thread !== lane.thread || m.t < from || m.t > to) continue;
      ctx.fillStyle = m.kind === 'note' ? pal.muted : pal.error;
      ctx.fillRect(((m.t - from) / (to - from)) * width - 1, y - 2, 2, this.laneH + 4);
    }
  }

  private drawElu(ctx: CanvasRenderingContext2D, pal: Palette, thread: number, y: number, h: number, width: number, from: number, to: number): void {
    const series = this.store.report.elu.find((e) => e.thread === thread);
    if (!series || series.t.length === 0) return;
    const sx = width / (to - from);
    ctx.strokeStyle = pal.foreground;
    ctx.globalAlpha = 0.55;
    ctx.lineWidth = 1;
    ctx.beginPath();
    // One line per run of measurements: a stretch with none (a blocked loop) is a gap (eluRuns).
    let runs = this.eluRunsOf.get(thread);
    if (!runs) this.eluRunsOf.set(thread, (runs = eluRuns(series.t)));
    for (const [lo, hi] of runs) {
      if (series.t[lo] > to || series.t[hi - 1] < from) continue;
      let started = false;
      for (let i = lo; i < hi; i++) {
        const x = (series.t[i] - from) * sx;
        if (x < -50 && i + 1 < hi && (series.t[i + 1] - from) * sx < 0) continue;
        const py = y + h - 1 - Math.max(0, Math.min(1, series.u[i])) * (h - 3);
        if (started) ctx.lineTo(x, py); else { ctx.moveTo(x, py); started = true; }
        if (x > width) break;
      }
      // A lone measurement between gaps: a short dash ending at its time, so it still shows.
      if (hi - lo === 1) ctx.lineTo((series.t[lo] - from) * sx - 3, y + h - 1 - Math.max(0, Math.min(1, series.u[lo])) * (h - 3));
    }
    ctx.stroke();
    ctx.globalAlpha = 1;
  }

  private drawUtilization(ctx: CanvasRenderingContext2D, pal: Palette, util: Float32Array, width: number): void {
    const top = AXIS_H + 4;
    const workers = Math.max(1, this.lanes.filter((l) => l.start.length > 0).length);
    ctx.fillStyle = pal.laneBackground;
    ctx.fillRect(0, top, width, UTIL_H);
    ctx.fillStyle = pal.focus;
    ctx.globalAlpha = 0.7;
    ctx.beginPath();
    ctx.moveTo(0, top + UTIL_H);
    for (let x = 0; x < width; x++) {
      const h = (Math.min(workers, util[x]) / workers) * UTIL_H;
      ctx.lineTo(x, top + UTIL_H - h);
      ctx.lineTo(x + 1, top + UTIL_H - h);
    }
    ctx.lineTo(width, top + UTIL_H);
    ctx.fill();
    ctx.globalAlpha = 1;
    ctx.fillStyle = pal.muted;
    ctx.font = '10px sans-serif';
    ctx.textBaseline = 'top';
    ctx.fillText(`${workers}`, width - 14, top + 1);
  }

  private drawOverlays(ctx: CanvasRenderingContext2D, pal: Palette, width: number, from: number, to: number): void {
    const sx = width / (to - from);
    const r = this.store.range;
    if (r) {
      const x0 = (r.from - from) * sx;
      const x1 = (r.to - from) * sx;
      ctx.fillStyle = pal.selection;
      ctx.fillRect(x0, AXIS_H, x1 - x0, this.height() - AXIS_H);
      ctx.fillStyle = pal.focus;
      ctx.fillRect(x0, AXIS_H, 1, this.height() - AXIS_H);
      ctx.fillRect(x1, AXIS_H, 1, this.height() - AXIS_H);
    }
    this.drawSelection(ctx, pal, width, from, to);
    const k = this.store.focusedSpan;
    if (k >= 0) {
      const s = this.store.report.spans;
      const lane = this.lanes.findIndex((l) => l.thread === s.thread[k]);
      const y = this.boxes[lane].y;
      ctx.strokeStyle = pal.highlight;
      ctx.lineWidth = 2;
      ctx.strokeRect((s.start[k] - from) * sx - 1, y - 1, Math.max(2, (s.end[k] - s.start[k]) * sx) + 2, this.laneH + 2);
    }
  }

  /** The selected tasks outlined on their lanes (a thread × range selection: the range on those lanes). */
  private drawSelection(ctx: CanvasRenderingContext2D, pal: Palette, width: number, from: number, to: number): void {
    if (this.selected.size === 0) return;
    const sx = width / (to - from);
    ctx.strokeStyle = pal.focus;
    ctx.lineWidth = 2;
    this.lanes.forEach((lane, k) => {
      const pairs = this.selected.get(lane.thread);
      if (!pairs) return;
      const box = this.boxes[k];
      for (let i = 0; i < pairs.length; i += 2) {
        if (pairs[i + 1] < from || pairs[i] > to) continue;
        const x0 = Math.max(-2, (pairs[i] - from) * sx);
        const x1 = Math.min(width + 2, (pairs[i + 1] - from) * sx);
        if (this.store.selection?.kind === 'threads') {
          ctx.fillStyle = pal.selection;
          ctx.fillRect(x0, box.y, x1 - x0, box.height);
        }
        ctx.strokeRect(x0, box.y + 1, Math.max(2, x1 - x0), box.height - 2);
      }
    });
  }
}

