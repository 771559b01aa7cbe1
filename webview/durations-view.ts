// Task durations: a histogram per region and the slowest tasks; a slow task opens on the timeline.
// From tasks to code: a bar of the histogram, the slowest 10 % or one slow task becomes the
// selection whose samples the flamegraph shows; slow against fast opens the differential view.
import type { Store } from './store';
import { el, ms } from './dom';
import { durationHistogram, histogramBars, slowest } from './layout-histogram';
import { tasksAreQueued } from '../src/model/report';
import { alignTextColumns } from './table-align';
import { regionLabel } from '../src/model/region-labels';

const SVG = 'http://www.w3.org/2000/svg';
const PLOT_W = 560;
const PLOT_H = 160;
const SLOWEST = 15;
/** "Slow" and "fast" for the one-click comparison: the slowest tenth against the fastest half. */
const SLOW_FROM = 0.9;
const FAST_TO = 0.5;

/** The regions with at least one span (one pass over the spans). */
function regionsWithTasks(report: Store['report']): Set<number> {
  const found = new Set<number>();
  const s = report.spans;
  for (let k = 0; k < s.count; k++) found.add(s.region[k]);
  return found;
}

/** The region whose spans add up to the most time (one pass over the spans); undefined with none. */
function regionWithMostTaskTime(report: Store['report']): number | undefined {
  const total = new Map<number, number>();
  const s = report.spans;
  for (let k = 0; k < s.count; k++) total.set(s.region[k], (total.get(s.region[k]) ?? 0) + (s.end[k] - s.start[k]));
  let best: number | undefined, most = -1;
  for (const r of report.regions) {
    const t = total.get(r.id) ?? 0;
    if (t > most) { most = t; best = r.id; }
  }
  return best;
}

export class DurationsView {
  readonly element: HTMLElement;
  private readonly regionSelect = el('select', { id: 'durations-region', 'aria-label': 'Region' });
  private readonly plot = el('div', { id: 'durations-histogram' });
  private readonly list = el('div', { id: 'durations-slowest' });
  private readonly threadName = new Map<number, string>();
  private shownRegion = -2;

  constructor(private readonly store: Store) {
    for (const t of store.report.threads) this.threadName.set(t.id, t.name);
    // A window of a large report keeps every region, most of them without a task in the window: only those with one are listed.
    const inWindow = store.slice ? regionsWithTasks(store.report) : undefined;
    const listed = inWindow ? store.report.regions.filter((r) => inWindow.has(r.id)) : store.report.regions;
    for (const r of listed) this.regionSelect.append(el('option', { value: r.id }, regionLabel(store.report.regions, r.id)));
    // Opens on the region whose tasks took the most time (a 1 ms warm-up listed first is not the one to look at).
    const main = regionWithMostTaskTime(store.report);
    if (main !== undefined) this.regionSelect.value = String(main);
    this.regionSelect.addEventListener('change', () => this.draw());
    const body = listed.length ? el('div', {}, this.plot, this.list)
      : el('p', {}, inWindow ? 'No pool operation has a task in this window.' : 'No pool operations were recorded.');
    const action = (label: string, name: string, id: string, run: (region: number) => void) => {
      const b = el('button', { type: 'button', id, 'aria-label': name }, label);
      b.addEventListener('click', () => { if (this.regionSelect.value !== '') run(Number(this.regionSelect.value)); });
      return b;
    };
    const slow = { kind: 'rank' as const, from: SLOW_FROM, to: 1 };
    const fast = { kind: 'rank' as const, from: 0, to: FAST_TO };
    this.element = el('section', { 'aria-label': 'Task durations' },
      el('div', { class: 'pp-toolbar', role: 'toolbar', 'aria-label': 'Task duration controls' }, this.regionSelect,
        action('Code of all tasks', 'Show the code of every task of this region in the flamegraph', 'durations-all-code', (region) => {
          store.setSelection({ kind: 'rank', region, from: 0, to: 1 });
          store.setView('flamegraph');
        }),
        action('Code of the slowest 10 %', 'Show the code of the slowest 10 % of this region\'s tasks in the flamegraph', 'durations-slowest-code', (region) => {
          store.setSelection({ ...slow, region });
          store.setView('flamegraph');
        }),
        action('Slowest 10 % vs fastest 50 %', 'Compare the code of the slowest 10 % of tasks with the fastest 50 %', 'durations-compare', (region) => {
          store.setSelection({ ...slow, region }, { ...fast, region });
          store.setView('timeline');
        })),
      ...(inWindow ? [el('p', { class: 'pp-hint', id: 'durations-window' }, `This window's tasks: the ${listed.length} of the run's ${store.report.regions.length} pool operations with a task in it.`)] : []),
      el('p', { class: 'pp-hint' }, 'Click a bar (or focus it, move with the arrow keys and press Enter) to see the code of its tasks; "Code" on a row shows one task\'s.'),
      body);
  }

  selectRegion(id: number): void {
    // Not listed (a window without its tasks): the region shown stays.
    if (![...this.regionSelect.options].some((o) => o.value === String(id))) return;
    this.regionSelect.value = String(id);
    this.draw();
  }

  draw(): void {
    const region = Number(this.regionSelect.value);
    if (region === this.shownRegion || this.regionSelect.options.length === 0) return;
    this.shownRegion = region;
    const s = this.store.report.spans;
    const spans: number[] = [];
    for (let k = 0; k < s.count; k++) if (s.region[k] === region) spans.push(k);
    const durations = Float64Array.from(spans, (k) => s.end[k] - s.start[k]);
    const bins = durationHistogram(durations, 24);
    const svg = document.createElementNS(SVG, 'svg');
    svg.setAttribute('viewBox', `0 0 ${PLOT_W + 50} ${PLOT_H + 34}`);
    svg.setAttribute('width', String(PLOT_W + 50));
    svg.setAttribute('class', 'pp-histogram'); // shrinks to a narrow panel instead of scrolling it sideways (style.css)
    // A group, not an image: its bars are buttons (an image's children are not read).
    svg.setAttribute('role', 'group');
    const name = regionLabel(this.store.report.regions, region);
    svg.setAttribute('aria-label', `Histogram of ${spans.length} task durations of ${name}`);
    const g = document.createElementNS(SVG, 'g');
    g.setAttribute('transform', 'translate(40,6)');
    const maxCount = Math.max(1, ...bins.map((b) => b.count));
    // A bar's tasks are a slice of the region's tasks ranked by duration: bins are in duration
    // order and hold every task once, so bar i covers ranks [tasks in bars before i, + its count).
    let before = 0;
    const n = Math.max(1, spans.length);
    const buttons: SVGRectElement[] = [];
    for (const bar of histogramBars(bins, PLOT_W, PLOT_H)) {
      const rect = document.createElementNS(SVG, 'rect');
      rect.setAttribute('class', 'pp-bar');
      for (const [k, v] of Object.entries({ x: bar.x, y: bar.y, width: bar.width, height: bar.height })) rect.setAttribute(k, String(v));
      const label = `${bar.bin.count} tasks of ${ms(bar.bin.x0)} – ${ms(bar.bin.x1)}`;
      const title = document.createElementNS(SVG, 'title');
      title.textContent = label;
      rect.append(title);
      if (bar.bin.count > 0) {
        const spec = { kind: 'rank' as const, region, from: before / n, to: (before + bar.bin.count) / n };
        // One tab stop for the bars (the first with tasks, then the last focused): arrows move between them.
        rect.setAttribute('tabindex', buttons.length === 0 ? '0' : '-1');
        buttons.push(rect);
        rect.setAttribute('role', 'button');
        rect.setAttribute('aria-label', `${label}: show their code`);
        rect.setAttribute('data-from', String(spec.from));
        const pick = () => { this.store.setSelection(spec); this.store.setView('flamegraph'); };
        rect.addEventListener('click', pick);
        rect.addEventListener('keydown', (e) => {
          if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); pick(); return; }
          const at = buttons.indexOf(rect);
          const to = e.key === 'ArrowRight' || e.key === 'ArrowDown' ? at + 1 : e.key === 'ArrowLeft' || e.key === 'ArrowUp' ? at - 1
            : e.key === 'Home' ? 0 : e.key === 'End' ? buttons.length - 1 : undefined;
          if (to === undefined) return;
          e.preventDefault();
          const next = buttons[Math.max(0, Math.min(buttons.length - 1, to))];
          for (const r of buttons) r.setAttribute('tabindex', r === next ? '0' : '-1');
          next.focus();
        });
      }
      before += bar.bin.count;
      g.append(rect);
    }
    const text = (x: number, y: number, value: string, anchor = 'middle') => {
      const t = document.createElementNS(SVG, 'text');
      t.setAttribute('x', String(x));
      t.setAttribute('y', String(y));
      t.setAttribute('text-anchor', anchor);
      t.textContent = value;
      g.append(t);
    };
    const axis = document.createElementNS(SVG, 'line');
    for (const [k, v] of Object.entries({ x1: 0, x2: PLOT_W, y1: PLOT_H, y2: PLOT_H })) axis.setAttribute(k, String(v));
    axis.setAttribute('class', 'pp-axis');
    g.append(axis);
    if (bins.length) {
      text(0, PLOT_H + 14, ms(bins[0].x0), 'start');
      text(PLOT_W / 2, PLOT_H + 14, ms((bins[0].x0 + bins[bins.length - 1].x1) / 2));
      text(PLOT_W, PLOT_H + 14, ms(bins[bins.length - 1].x1), 'end');
      text(-4, 8, String(maxCount), 'end');
      text(PLOT_W / 2, PLOT_H + 27, 'task duration');
    }
    svg.append(g);
    this.plot.replaceChildren(el('h3', {}, `${name}: ${spans.length} tasks`), svg);

    const rows = slowest(durations, SLOWEST).map((i) => spans[i]);
    const t = el('table', { 'aria-label': 'Slowest tasks' }, el('caption', {}, `Slowest ${rows.length} tasks`));
    const head = el('tr');
    // The wait column only where tasks wait in a queue (fork-join, third-party pools): pulled chunks do not.
    const regionKind = new Map(this.store.report.regions.map((r) => [r.id, r.kind]));
    const queued = rows.some((k) => tasksAreQueued(regionKind.get(s.region[k]) ?? 'external'));
    for (const h of ['Task', 'Thread', 'Duration', ...(queued ? ['Queue wait'] : []), 'Start', '']) head.append(el('th', { scope: 'col' }, h));
    const body = el('tbody');
    for (const k of rows) {
      const b = el('button', { type: 'button', 'aria-label': `Show task ${s.index[k]} on the timeline` }, 'Show on timeline');
      b.addEventListener('click', () => this.store.showSpan(k));
      const code = el('button', { type: 'button', class: 'pp-task-code', 'aria-label': `Show the code of task ${s.index[k]} in the flamegraph` }, 'Code');
      code.addEventListener('click', () => { this.store.setSelection({ kind: 'spans', spans: [k] }); this.store.setView('flamegraph'); });
      body.append(el('tr', { 'data-span': k },
        el('td', {}, `#${s.index[k]}`), el('td', {}, this.threadName.get(s.thread[k]) ?? String(s.thread[k])),
        el('td', {}, ms(s.end[k] - s.start[k])),
        ...(queued ? [el('td', {}, tasksAreQueued(regionKind.get(s.region[k]) ?? 'external') ? ms(Math.max(0, s.start[k] - s.enqueue[k])) : '—')] : []),
        el('td', {}, ms(s.start[k])), el('td', {}, b, ' ', code)));
    }
    t.append(el('thead', {}, head), body);
    alignTextColumns([t]);
    this.list.replaceChildren(t);
  }
}
