// The app: a header, tabs, and one panel per view. Views are built the first time they are shown,
// so opening a report costs only the summary (or whichever view comes first).
import type { ReportAnswers } from '../src/model/report-answers';
import type { Report } from '../src/model/report';
import { analyze, type RunMetrics } from '../src/model/analysis';
import { VIEW_IDS, type SliceInfo, type ViewId, type ViewState, type WebviewToHost } from '../src/protocol';
import { Store } from './store';
import type { Analysis } from './report-decoder';
import type { LaneIndex } from './layout-timeline';
import { el } from './dom';
import { summaryView } from './summary-view';
import { TimelineView } from './timeline-view';
import { FlameView } from './flame-view';
import { FlameChartView } from './flamechart-view';
import { CallTreeView } from './calltree-view';
import { DurationsView } from './durations-view';
import { runEndText, taskCount, threadsText } from '../src/model/run-views';
import { formatDurationMs, formatPlural as plural } from '../src/model/units';
import type { ReportPreview } from '../src/model/report-preview';
import { draw } from './preview';

const LABELS: Record<ViewId, string> = {
  summary: 'Summary', timeline: 'Timeline', flamegraph: 'Flamegraph', flamechart: 'Flame chart', calltree: 'Call tree', durations: 'Task durations',
};

/** `focusTarget`: what takes the keyboard focus when an action elsewhere switches to the view (else its tab). */
interface View { element: HTMLElement; draw?: () => void; focusTarget?: HTMLElement }

export interface AppOptions {
  title?: string;
  canOpenSource: boolean;
  /** Offer "Re-run" in the header (only a host that can run the script says so). */
  canRerun?: boolean;
  initial: Partial<ViewState>;
  post: (message: WebviewToHost) => void;
  /** The report's metrics when the host computed them already (VS Code: its parser worker did); else computed here on first use. */
  metrics?: RunMetrics;
  /** The report's metrics and findings as the decoder's worker will send them (undefined if it could not). */
  analysisLater?: Promise<Analysis | undefined>;
  /** The timeline's lane indexes, when the decoder's worker built them (Store.laneIndexes). */
  lanes?: LaneIndex[];
  /** Called (debounced) whenever the view state changes, to persist it. */
  saveState: (state: ViewState) => void;
  /** The answers the preview showed from the file's header: the headline shows them until the report's own metrics come. */
  recorded?: ReportAnswers;
  /**
   * The report is a window of one too large to show whole (`init-slice`): which. Its metrics are
   * the whole run's (`analysisLater`, from the host's reader), never computed from the window.
   */
  slice?: SliceInfo;
  /** With `slice`: the whole run's first screen (its reader's preview), drawn small in the window bar. */
  overview?: ReportPreview;
}

export class App {
  readonly store: Store;
  readonly views = new Map<ViewId, View>();
  private readonly tabs = new Map<ViewId, HTMLButtonElement>();
  private readonly panels = new Map<ViewId, HTMLElement>();
  /** A window's bar (Earlier / Later / Start at), when the report is a window. */
  private readonly bar: WindowBar | undefined;
  /** ms from script start to the first complete paint of the first view (read by the benchmark). */
  firstPaintMs = -1;

  constructor(root: HTMLElement, report: Report, private readonly options: AppOptions) {
    const given = options.metrics;
    const noWindowMetrics = () => { throw new Error('the whole run\'s metrics are still being computed by the report reader'); };
    this.store = new Store(report, given ? () => given : options.slice ? noWindowMetrics : analyze, options.initial, options.canOpenSource, options.analysisLater, options.lanes);
    this.store.recorded = options.recorded;
    this.store.slice = options.slice;
    performance.mark('parprof:store');
    const tablist = el('div', { role: 'tablist', 'aria-label': 'Views' });
    for (const id of VIEW_IDS) {
      const tab = el('button', { type: 'button', role: 'tab', id: `tab-${id}`, 'aria-controls': `panel-${id}`, 'aria-selected': 'false', tabindex: -1 }, LABELS[id]);
      tab.addEventListener('click', () => this.store.setView(id));
      tab.addEventListener('keydown', (e) => this.tabKey(e, id));
      this.tabs.set(id, tab);
      tablist.append(tab);
      const panel = el('div', { role: 'tabpanel', id: `panel-${id}`, 'aria-labelledby': `tab-${id}`, hidden: true });
      this.panels.set(id, panel);
    }
    this.bar = options.slice && windowBar(options.slice, options.post, options.overview);
    root.replaceChildren(this.header(report), ...(this.bar ? [this.bar.element] : []), tablist, ...this.panels.values());

    let timer: ReturnType<typeof setTimeout> | undefined;
    const save = () => {
      clearTimeout(timer);
      timer = setTimeout(() => options.saveState(this.store.state()), 250);
    };
    this.store.on('view', () => { this.show(this.store.view); save(); });
    this.store.on('window', save);
    this.store.on('range', save);
    this.store.on('selection', save);
    this.store.on('transforms', save);
    this.store.on('threads', save);
    this.store.on('choices', save);
    this.store.on('region', (id) => (this.views.get('durations') as DurationsView | undefined)?.selectRegion(id));
    this.show(this.store.view);
  }

  /**
   * The script's name as the title; its folder folded to one line that keeps its end in view (the
   * full path in the tooltip); the run's shape; and Re-run where the host can run it.
   */
  private header(report: Report): HTMLElement {
    const script = report.meta.script;
    const cut = Math.max(script.lastIndexOf('/'), script.lastIndexOf('\\'));
    const name = script.slice(cut + 1) || script;
    const folder = cut > 0 ? script.slice(0, cut) : '';
    const args = report.meta.args.length ? ` ${report.meta.args.join(' ')}` : '';
    const title = el('div', { class: 'pp-title' },
      el('h1', { title: `${script}${args}` }, this.options.title ?? name),
      // A left-to-right mark keeps a path that starts with '/' readable under direction: rtl.
      el('span', { class: 'pp-path', title: `${script}${args}` }, `\u200e${folder}${args ? ` ·${args}` : ''}\u200e`));
    const slice = this.options.slice;
    const windowTasks = taskCount(report);
    const tasks = slice ? `${windowTasks.toLocaleString('en-US')} task${windowTasks === 1 ? '' : 's'} in this window of ${slice.totalTasks.toLocaleString('en-US')}` : plural(windowTasks, 'task');
    const shape = el('p', { class: 'pp-shape' },
      `${threadsText(report)} · ${plural(report.regions.length, 'region')} · ${tasks} · ` +
      `${plural(report.profiles.length, 'CPU profile')} · ${runEndText(report)}`);
    const header = el('header', { class: 'pp-header' }, el('div', { class: 'pp-header-text' }, title, shape));
    if (this.options.canRerun) {
      const rerun = el('button', { type: 'button', id: 'pp-rerun', title: `Run ${name} again with this report's threads, schedule and arguments` }, '▶ Re-run');
      rerun.addEventListener('click', () => this.options.post({ type: 'rerun' }));
      header.append(rerun);
    }
    return header;
  }

  private tabKey(e: KeyboardEvent, id: ViewId): void {
    const at = VIEW_IDS.indexOf(id);
    const to = e.key === 'ArrowRight' ? at + 1 : e.key === 'ArrowLeft' ? at - 1 : e.key === 'Home' ? 0 : e.key === 'End' ? VIEW_IDS.length - 1 : -2;
    if (to === -2) return;
    e.preventDefault();
    const next = VIEW_IDS[(to + VIEW_IDS.length) % VIEW_IDS.length];
    this.store.setView(next);
    this.tabs.get(next)!.focus();
  }

  private view(id: ViewId): View {
    let view = this.views.get(id);
    if (view) return view;
    const store = this.store;
    switch (id) {
      case 'summary': view = { element: store.hasMetrics ? summaryView(store) : this.summaryLater() }; break;
      case 'timeline': view = new TimelineView(store); break;
      case 'flamegraph': view = new FlameView(store, this.options.post); break;
      case 'flamechart': view = new FlameChartView(store); break;
      case 'calltree': view = new CallTreeView(store, this.options.post); break;
      case 'durations': view = new DurationsView(store); break;
    }
    this.views.set(id, view);
    this.panels.get(id)!.append(view.element);
    return view;
  }

  /** The host could not give the window asked for (`window-refused`): said in the bar, whose moves work again. */
  windowRefused(message: string): void {
    this.bar?.refused(message);
  }

  /** A window's summary is the whole run's: built once the reader's metrics come (or says why they did not). */
  private summaryLater(): HTMLElement {
    const box = el('div', { class: 'pp-summary' }, el('p', { class: 'pp-hint', 'aria-busy': 'true', id: 'summary-pending' }, 'The whole run\'s numbers are being computed by the report reader…'));
    this.store.whenMetrics().then(() => box.replaceWith(summaryView(this.store)),
      (e: Error) => box.replaceChildren(el('p', { class: 'pp-hint', role: 'status' }, `No summary: ${e.message}.`)));
    return box;
  }

  show(id: ViewId): void {
    // A button or bar in the panel being hidden that switched views (a histogram bar, "Code",
    // "Show on timeline") would leave the focus on <body>: it goes to the view shown instead.
    const active = document.activeElement;
    const focusWasInOther = !!active && [...this.panels].some(([other, panel]) => other !== id && panel.contains(active));
    for (const [other, tab] of this.tabs) {
      const on = other === id;
      tab.setAttribute('aria-selected', String(on));
      tab.tabIndex = on ? 0 : -1;
      this.panels.get(other)!.hidden = !on;
    }
    const view = this.view(id);
    performance.mark(`parprof:built-${id}`);
    view.draw?.();
    if (focusWasInOther) (view.focusTarget ?? this.tabs.get(id)!).focus();
    performance.mark(`parprof:drawn-${id}`);
    if (this.firstPaintMs < 0) this.firstPaintMs = performance.now();
  }
}

/** Seconds (µs from origin) as the window bar says them. */
function at(us: number): string {
  return us === 0 ? '0' : formatDurationMs(us / 1000);
}

/** Overview height per lane, px, and the gap between lanes. */
const OVERVIEW_LANE_H = 3;
const OVERVIEW_GAP = 1;

/**
 * The whole run in a strip (the reader's preview: each thread's busy share over time), this
 * window outlined; a click asks for the window that starts there (the Earlier / Later / Start at
 * controls do the same by keyboard).
 */
function overviewCanvas(slice: SliceInfo, overview: ReportPreview, askFrom: (from: number) => void): HTMLCanvasElement {
  const width = 600;
  const height = Math.max(4, overview.lanes.length * (OVERVIEW_LANE_H + OVERVIEW_GAP));
  const canvas = el('canvas', { id: 'window-overview', width: String(width), height: String(height), role: 'img',
    'aria-label': `The whole run, each thread's busy share over time; the outlined part is this window (${at(slice.from)} to ${at(slice.to)}). Click to show the window that starts there.`,
    title: 'The whole run: click to show the window that starts there' }) as HTMLCanvasElement;
  // As wide as the bar (the strips stretch), as high as drawn.
  canvas.style.height = `${height}px`;
  const style = getComputedStyle(document.body);
  draw(canvas, overview, style.getPropertyValue('--pp-fg').trim() || '#888', 0, overview.endUs, OVERVIEW_LANE_H, OVERVIEW_GAP);
  const g = canvas.getContext('2d');
  if (g) {
    const x0 = (slice.from / overview.endUs) * width, x1 = (slice.to / overview.endUs) * width;
    g.strokeStyle = style.getPropertyValue('--vscode-focusBorder').trim() || '#0078d4';
    g.lineWidth = 2;
    g.strokeRect(Math.max(1, x0), 1, Math.max(2, x1 - x0), height - 2);
  }
  canvas.addEventListener('click', (e) => askFrom((e.offsetX / Math.max(1, canvas.clientWidth)) * overview.endUs));
  return canvas;
}

/** A window's bar: its element, and what it does when the host refuses the window asked for. */
export interface WindowBar { element: HTMLElement; refused(message: string): void }

/**
 * The bar above a window of a report too large to show whole: which window, what shows it, and
 * the moves to another (the host's reader cuts it: `slice`). A move waits for the window (its
 * button busy); the next `init-slice` makes a new bar, `window-refused` frees this one.
 */
export function windowBar(slice: SliceInfo, post: (message: WebviewToHost) => void, overview?: ReportPreview): WindowBar {
  const n = (x: number) => x.toLocaleString('en-US');
  const text = el('p', { id: 'window-text' },
    `Window ${at(slice.from)} to ${at(slice.to)} of the run's ${at(slice.runFrom)} to ${at(slice.runTo)}: ${n(slice.tasks)} of ${n(slice.totalTasks)} tasks ` +
    '(every task that overlaps it, and the CPU samples inside it). The timeline, flame graphs, call tree and task durations show this window; ' +
    'the summary and headline numbers are the whole run\'s.');
  const why = el('output', { id: 'window-refused', 'aria-live': 'polite' });
  const moves: [HTMLButtonElement, boolean][] = [];
  /** A window asked for and not come yet: the bar says so, and asks for no other meanwhile. */
  let asking = false;
  const ask = (message: Extract<WebviewToHost, { type: 'slice' }>, words: string) => {
    if (asking) return;
    asking = true;
    why.textContent = `Getting ${words} from the report's reader…`;
    element.setAttribute('aria-busy', 'true');
    element.classList.add('pp-busy');
    post(message);
  };
  const button = (id: string, label: string, title: string, enabled: boolean, message: () => [Extract<WebviewToHost, { type: 'slice' }>, string] | undefined) => {
    const b = el('button', { type: 'button', id, title }, label) as HTMLButtonElement;
    b.disabled = !enabled;
    moves.push([b, enabled]);
    b.addEventListener('click', () => {
      const m = message();
      if (m) ask(...m);
    });
    return b;
  };
  const earlier = button('window-earlier', '◀ Earlier', 'The window that ends where this one starts', slice.from > slice.runFrom,
    () => [{ type: 'slice', to: slice.from }, `the window before ${at(slice.from)}`]);
  const later = button('window-later', 'Later ▶', 'The window that starts where this one ends', slice.to < slice.runTo,
    () => [{ type: 'slice', from: slice.to }, `the window from ${at(slice.to)}`]);
  const input = el('input', { type: 'number', id: 'window-at', min: String(Math.floor(slice.runFrom / 1000)), max: String(Math.ceil(slice.runTo / 1000)), step: 'any',
    'aria-label': 'Start the window at this time, ms from the run\'s start', placeholder: 'ms', value: String(Math.round(slice.from) / 1000) }) as HTMLInputElement;
  // An empty or unreadable box asks for nothing; a time outside the run is said to be, and the nearest window asked for.
  const go = button('window-go', 'Go', 'The window that starts at the time given, ms', true, () => {
    if (input.value.trim() === '' || !Number.isFinite(Number(input.value))) return undefined;
    const wanted = Number(input.value) * 1000;
    const from = Math.min(Math.max(wanted, slice.runFrom), slice.runTo);
    const note = from !== wanted ? ` (${at(wanted)} is outside the run's ${at(slice.runFrom)} to ${at(slice.runTo)})` : '';
    return [{ type: 'slice', from }, `the window from ${at(from)}${note}`];
  });
  input.addEventListener('keydown', (e) => { if (e.key === 'Enter') go.click(); });
  const element: HTMLElement = el('div', { class: 'pp-toolbar pp-window', role: 'group', 'aria-label': 'Window of the run' }, text, earlier, later,
    el('label', { for: 'window-at' }, 'Start at'), input, go, why,
    ...(overview ? [overviewCanvas(slice, overview, (from) => ask({ type: 'slice', from }, `the window from ${at(from)}`))] : []));
  return {
    element,
    refused: (message) => {
      asking = false;
      element.removeAttribute('aria-busy');
      element.classList.remove('pp-busy');
      why.textContent = `No other window: ${message}.`;
      for (const [b, enabled] of moves) b.disabled = !enabled;
    },
  };
}
