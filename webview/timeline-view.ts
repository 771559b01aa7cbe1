// Timeline: one lane per thread on a shared time axis, task spans coloured by region, idle gaps as
// empty lane, a utilization strip (busy threads over time), event-loop utilization per thread,
// steal and error markers. Wheel/drag/keyboard zoom and pan; Shift+drag selects a time range.
import type { ThreadInfo } from '../src/model/report';
import { tasksAreQueued } from '../src/model/report';
import type { Store } from './store';
import { el, ms } from './dom';
import { frameScheduler, sizeCanvas, Tooltip } from './canvas';
import { readPalette, regionColor, type Palette } from './theme';
import {
  buildCoverage, buildLaneIndexes, coverageColumns, exactColumns, formatTime, panWindow, spanAt,
  spanRects, timeTicks, visibleSpans, zoomWindow, type CoveragePyramid, type LaneIndex,
} from './layout-timeline';
import { LaneExtras } from './timeline-waits';

const AXIS_H = 22;
const UTIL_H = 36;
/** Lane height bounds, px: lanes grow from the minimum to fill the panel's height, up to the maximum. */
const LANE_MIN_H = 22;
const LANE_MAX_H = 120;
/** Room kept below the lanes for the legend and the hint, px. */
const BELOW_LANES = 96;
const GAP = 4;
const LANES_TOP = AXIS_H + UTIL_H + 8;

export class TimelineView {
  readonly element: HTMLElement;
  private readonly canvas = el('canvas', { tabindex: 0, role: 'application', 'aria-roledescription': 'timeline',
    'aria-label': 'Timeline of every thread. Arrow keys pan and zoom, Home shows the whole run, Shift+drag selects a time range, Escape clears it.' });
  private readonly box = el('div', { class: 'pp-canvas-box' });
  private readonly tooltip = new Tooltip(this.box);
  private readonly windowOut = el('output', { id: 'timeline-window', 'aria-live': 'polite' });
  private readonly rangeOut = el('output', { id: 'timeline-range', 'aria-live': 'polite' });
  private readonly lanes: LaneIndex[];
  private readonly pyramids: (CoveragePyramid | undefined)[];
  private readonly threadName = new Map<number, string>();
  private readonly threadInfo = new Map<number, ThreadInfo>();
  private readonly request = frameScheduler(() => this.draw());
  /** Blocking waits and descheduled stretches per lane (report format 2). */
  private readonly extras: LaneExtras;
  private drag: { mode: 'pan' | 'select'; x: number; from: number; to: number; t0: number } | undefined;
  /** Last draw's time in ms, read by the benchmark. */
  lastDrawMs = 0;
  /** Lane height now, px (fitLanes). */
  private laneH = LANE_MIN_H;
  private readonly laneLabels: { labels: HTMLElement; items: HTMLElement[] } = { labels: el('div'), items: [] };

  constructor(private readonly store: Store) {
    const report = store.report;
    const threads = [...report.threads].sort((a, b) => a.id - b.id);
    for (const t of threads) { this.threadName.set(t.id, t.name); this.threadInfo.set(t.id, t); }
    this.lanes = buildLaneIndexes(report.spans, threads.map((t) => t.id));
    this.pyramids = this.lanes.map(() => undefined);
    this.extras = new LaneExtras(report);

    const button = (label: string, onClick: () => void, name = label) => {
      const b = el('button', { type: 'button', 'aria-label': name }, label);
      b.addEventListener('click', onClick);
      return b;
    };
    const toolbar = el('div', { class: 'pp-toolbar', role: 'toolbar', 'aria-label': 'Timeline controls' },
      button('+', () => this.zoomBy(0.5), 'Zoom in'),
      button('−', () => this.zoomBy(2), 'Zoom out'),
      button('Whole run', () => store.setWindow(0, store.endUs), 'Show the whole run'),
      button('Select visible', () => store.setRange({ ...store.window }), 'Select the visible time range'),
      button('Clear selection', () => store.setRange(undefined)),
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
    threads.forEach((t, k) => {
      const lane = this.lanes[k];
      const item = el('li', { 'data-thread': t.id, 'data-tasks': lane.start.length, class: t.died ? 'pp-dead' : undefined, title: t.name },
        t.died ? `${t.name} ✝` : t.name);
      this.laneLabels.items.push(item);
      list.append(item);
    });
    labels.append(busyLabel, list);
    this.laneLabels.labels = labels;
    this.placeLabels();
    this.box.append(this.canvas);
    const legend = el('div', { class: 'pp-legend', 'aria-label': 'Legend' });
    for (const r of report.regions.slice(0, 12)) {
      const s = el('span', {}, r.name);
      s.style.setProperty('--swatch', regionColor(r.id));
      legend.append(s);
    }
    legend.append(el('span', { class: 'pp-hint' }, 'shaded: thread alive (empty = idle) · ▲ stolen task · line: event-loop utilization · red tick: error/exit' +
      (this.extras.any ? ' · hatched bottom band: blocked in Atomics.wait · red top edge: runnable but waiting for a core (descheduled)' : '')));
    const hint = el('p', { class: 'pp-hint' }, 'Wheel or +/− to zoom, drag or arrow keys to pan, Shift+drag to select a range (it narrows the flamegraph), double-click a task to zoom to it.');
    this.element = el('section', { 'aria-label': 'Timeline' }, toolbar, el('div', { class: 'pp-timeline' }, labels, this.box), legend, hint);

    store.on('window', () => this.request());
    store.on('range', () => this.request());
    store.on('span', () => this.request());
    new ResizeObserver(() => this.request()).observe(this.box);
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
    const room = document.documentElement.clientHeight - top - LANES_TOP - BELOW_LANES;
    const fit = Math.floor(room / Math.max(1, this.lanes.length) - GAP);
    const laneH = Math.max(LANE_MIN_H, Math.min(LANE_MAX_H, fit));
    if (laneH === this.laneH) return;
    this.laneH = laneH;
    this.placeLabels();
  }

  private placeLabels(): void {
    this.laneLabels.items.forEach((item, k) => {
      item.style.top = `${k * (this.laneH + GAP)}px`;
      item.style.height = `${this.laneH}px`;
    });
    this.laneLabels.labels.style.height = `${this.height()}px`;
  }

  private height(): number {
    return LANES_TOP + this.lanes.length * (this.laneH + GAP) + 4;
  }

  private width(): number {
    return Math.max(100, this.box.clientWidth);
  }

  private zoomBy(factor: number, at?: number): void {
    const { from, to } = this.store.window;
    const [f, t] = zoomWindow(from, to, factor, at ?? (from + to) / 2, this.store.endUs, 1);
    this.store.setWindow(f, t);
  }

  private timeAt(x: number): number {
    const { from, to } = this.store.window;
    return from + (x / this.width()) * (to - from);
  }

  private bindInput(): void {
    const c = this.canvas;
    c.addEventListener('wheel', (e) => {
      e.preventDefault();
      const x = e.offsetX;
      if (e.shiftKey || Math.abs(e.deltaX) > Math.abs(e.deltaY)) {
        const { from, to } = this.store.window;
        const d = (e.shiftKey ? e.deltaY : e.deltaX) * ((to - from) / this.width());
        this.store.setWindow(...panWindow(from, to, d, this.store.endUs));
      } else {
        this.zoomBy(Math.exp(Math.max(-3, Math.min(3, e.deltaY * 0.002))), this.timeAt(x));
      }
    }, { passive: false });
    c.addEventListener('pointerdown', (e) => {
      if (e.button !== 0) return;
      c.setPointerCapture(e.pointerId);
      const { from, to } = this.store.window;
      this.drag = { mode: e.shiftKey ? 'select' : 'pan', x: e.offsetX, from, to, t0: this.timeAt(e.offsetX) };
    });
    c.addEventListener('pointermove', (e) => {
      const d = this.drag;
      if (!d) return this.hover(e.offsetX, e.offsetY);
      this.tooltip.hide();
      if (d.mode === 'pan') {
        const dt = ((d.x - e.offsetX) / this.width()) * (d.to - d.from);
        this.store.setWindow(...panWindow(d.from, d.to, dt, this.store.endUs));
      } else if (Math.abs(e.offsetX - d.x) >= 2) {
        const t = this.timeAt(e.offsetX);
        this.store.setRange({ from: Math.min(d.t0, t), to: Math.max(d.t0, t) });
      }
    });
    const end = () => { this.drag = undefined; };
    c.addEventListener('pointerup', end);
    c.addEventListener('pointercancel', end);
    c.addEventListener('pointerleave', () => this.tooltip.hide());
    c.addEventListener('dblclick', (e) => {
      const hit = this.hitSpan(e.offsetX, e.offsetY);
      if (hit >= 0) this.store.showSpan(hit);
    });
    c.addEventListener('keydown', (e) => {
      const { from, to } = this.store.window;
      const step = (to - from) * (e.shiftKey ? 0.5 : 0.1);
      const keys: Record<string, () => void> = {
        ArrowLeft: () => this.store.setWindow(...panWindow(from, to, -step, this.store.endUs)),
        ArrowRight: () => this.store.setWindow(...panWindow(from, to, step, this.store.endUs)),
        ArrowUp: () => this.zoomBy(0.8), '+': () => this.zoomBy(0.8), '=': () => this.zoomBy(0.8),
        ArrowDown: () => this.zoomBy(1.25), '-': () => this.zoomBy(1.25),
        Home: () => this.store.setWindow(0, this.store.endUs), '0': () => this.store.setWindow(0, this.store.endUs),
        Escape: () => this.store.setRange(undefined),
        Enter: () => this.store.setRange({ from, to }),
      };
      const action = keys[e.key];
      if (action) { e.preventDefault(); action(); }
    });
  }

  /** The report span index under (x, y) in CSS px, or -1. */
  private hitSpan(x: number, y: number): number {
    const k = Math.floor((y - LANES_TOP) / (this.laneH + GAP));
    if (k < 0 || k >= this.lanes.length || y - LANES_TOP - k * (this.laneH + GAP) > this.laneH) return -1;
    const { from, to } = this.store.window;
    const pxUs = (to - from) / this.width();
    const i = spanAt(this.lanes[k], this.timeAt(x), 3 * pxUs);
    return i < 0 ? -1 : this.lanes[k].span[i];
  }

  /** Tooltip lines for the lane's format-2 bands at x: a blocking wait, time waiting for a core. */
  private extraLines(lane: number, x: number): string[] {
    if (lane < 0 || lane >= this.lanes.length) return [];
    const thread = this.lanes[lane].thread;
    const { from, to } = this.store.window;
    const t = this.timeAt(x);
    const out: string[] = [];
    const w = this.extras.waitAt(thread, t, 2 * ((to - from) / this.width()));
    if (w) out.push(`blocked in Atomics.wait: ${ms(w[1] - w[0])} (from ${ms(w[0])})`);
    const d = this.extras.descheduledAt(thread, t);
    if (d !== undefined && d >= 0.05) out.push(`waiting for a core ${Math.round(d * 100)} % of this stretch (descheduled)`);
    return out;
  }

  private hover(x: number, y: number): void {
    const s = this.store.report.spans;
    const k = this.hitSpan(x, y);
    const laneAt = Math.floor((y - LANES_TOP) / (this.laneH + GAP));
    if (k < 0) {
      const lane = laneAt;
      if (lane >= 0 && lane < this.lanes.length) this.tooltip.show([`${this.threadName.get(this.lanes[lane].thread)}: idle`, `at ${ms(this.timeAt(x))}`, ...this.extraLines(lane, x)], x, y);
      else this.tooltip.hide();
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
    lines.push(...this.extraLines(laneAt, x));
    this.tooltip.show(lines, x, y);
  }

  /** Redraws now (views call it when they become visible). */
  draw(): void {
    if (!this.element.isConnected || this.box.clientWidth === 0) return;
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
    // Read every draw: VS Code can switch the theme while the panel is open.
    const pal = readPalette(this.element);
    ctx.clearRect(0, 0, width, this.height());
    this.drawAxis(ctx, pal, width);
    const util = new Float32Array(width);
    this.lanes.forEach((lane, k) => this.drawLane(ctx, pal, lane, k, width, util));
    this.drawUtilization(ctx, pal, util, width);
    this.drawOverlays(ctx, pal, width);
    this.lastDrawMs = performance.now() - t0;
  }

  private drawAxis(ctx: CanvasRenderingContext2D, pal: Palette, width: number): void {
    const { from, to } = this.store.window;
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

  private drawLane(ctx: CanvasRenderingContext2D, pal: Palette, lane: LaneIndex, k: number, width: number, util: Float32Array): void {
    const { from, to } = this.store.window;
    const y = LANES_TOP + k * (this.laneH + GAP);
    // The lane is shaded only while the thread was alive, so "idle" and "not started yet" differ.
    const info = this.threadInfo.get(lane.thread);
    const alive0 = Math.max(0, ((info?.start ?? 0) - from) * (width / (to - from)));
    const alive1 = Math.min(width, ((info?.died?.at ?? info?.end ?? this.store.endUs) - from) * (width / (to - from)));
    ctx.fillStyle = pal.laneBackground;
    if (alive1 > alive0) ctx.fillRect(alive0, y, alive1 - alive0, this.laneH);
    const [lo, hi] = visibleSpans(lane, from, to);
    let cols: ReturnType<typeof coverageColumns>;
    if (hi - lo > width * 2) {
      const pyramid = (this.pyramids[k] ??= buildCoverage(lane, this.store.endUs));
      cols = coverageColumns(pyramid, from, to, width);
    }
    if (cols) {
      // Dense: one column per pixel, its opacity the share of the pixel's time the thread was busy.
      let x = 0;
      while (x < width) {
        const level = Math.round(cols.busy[x] * 8);
        const region = cols.region[x];
        let x1 = x + 1;
        while (x1 < width && Math.round(cols.busy[x1] * 8) === level && cols.region[x1] === region) x1++;
        if (level > 0) {
          ctx.globalAlpha = level / 8;
          ctx.fillStyle = regionColor(region);
          ctx.fillRect(x, y, x1 - x, this.laneH);
        }
        x = x1;
      }
      ctx.globalAlpha = 1;
      for (let i = 0; i < width; i++) util[i] += cols.busy[i];
    } else {
      const rects = spanRects(lane, lo, hi, from, to, width);
      const s = this.store.report.spans;
      let color = -2;
      for (let i = 0; i < rects.count; i++) {
        if (rects.region[i] !== color) { color = rects.region[i]; ctx.fillStyle = regionColor(color); }
        ctx.fillRect(rects.x0[i], y, rects.x1[i] - rects.x0[i], this.laneH);
      }
      // Gaps between back-to-back tasks: a thin line so separate tasks read as separate.
      ctx.fillStyle = pal.background;
      for (let i = 0; i < rects.count; i++) if (rects.x1[i] - rects.x0[i] > 6) ctx.fillRect(rects.x1[i] - 1, y, 1, this.laneH);
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
      }
      const exact = exactColumns(lane, lo, hi, from, to, width);
      for (let i = 0; i < width; i++) util[i] += exact[i];
    }
    this.extras.draw(ctx, pal, lane.thread, y, this.laneH, width, from, to);
    this.drawElu(ctx, pal, lane.thread, y, width);
    for (const m of this.store.report.markers) {
      if (m.thread !== lane.thread || m.t < from || m.t > to) continue;
      ctx.fillStyle = m.kind === 'note' ? pal.muted : pal.error;
      ctx.fillRect(((m.t - from) / (to - from)) * width - 1, y - 2, 2, this.laneH + 4);
    }
  }

  private drawElu(ctx: CanvasRenderingContext2D, pal: Palette, thread: number, y: number, width: number): void {
    const series = this.store.report.elu.find((e) => e.thread === thread);
    if (!series || series.t.length === 0) return;
    const { from, to } = this.store.window;
    const sx = width / (to - from);
    ctx.strokeStyle = pal.foreground;
    ctx.globalAlpha = 0.55;
    ctx.lineWidth = 1;
    ctx.beginPath();
    let started = false;
    for (let i = 0; i < series.t.length; i++) {
      const x = (series.t[i] - from) * sx;
      if (x < -50 && i + 1 < series.t.length && (series.t[i + 1] - from) * sx < 0) continue;
      const py = y + this.laneH - 1 - Math.max(0, Math.min(1, series.u[i])) * (this.laneH - 3);
      if (started) ctx.lineTo(x, py); else { ctx.moveTo(x, py); started = true; }
      if (x > width) break;
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

  private drawOverlays(ctx: CanvasRenderingContext2D, pal: Palette, width: number): void {
    const { from, to } = this.store.window;
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
    const k = this.store.focusedSpan;
    if (k >= 0) {
      const s = this.store.report.spans;
      const lane = this.lanes.findIndex((l) => l.thread === s.thread[k]);
      const y = LANES_TOP + lane * (this.laneH + GAP);
      ctx.strokeStyle = pal.highlight;
      ctx.lineWidth = 2;
      ctx.strokeRect((s.start[k] - from) * sx - 1, y - 1, Math.max(2, (s.end[k] - s.start[k]) * sx) + 2, this.laneH + 2);
    }
  }
}
