// What the first screen adds around the timeline's lanes: the headline numbers, the selection
// (tasks, threads over a range) with its actions, the top functions of the visible range or of
// the selection, and the differential flamegraph when a baseline is set.
import { verdicts } from '../src/model/summary';
import { functionStats } from '../src/model/calltree';
import { diffTrees } from '../src/model/flame-diff';
import { rankedSpans, selectionFunctions, selectionTree, type SelectionSpec } from '../src/model/selection';
import type { Store } from './store';
import { el, ms } from './dom';
import { headlineItems, type HeadlineItem } from '../src/model/headline';
import { TopFunctionsTable } from './top-functions';
import { FlameDiffView } from './flame-diff-view';
import { regionLabel } from '../src/model/region-labels';

/** Top functions of the visible range are recomputed this long after the window stops moving, ms. */
const WINDOW_SETTLE_MS = 150;

/** The selection in the user's words. */
export function describeSelection(store: Store, spec: SelectionSpec): string {
  const { report } = store;
  const s = report.spans;
  const threadName = (id: number) => report.threads.find((t) => t.id === id)?.name ?? `thread ${id}`;
  const regionName = (id: number) => regionLabel(report.regions, id);
  switch (spec.kind) {
    case 'spans': {
      let n = 0, k = -1;
      for (const x of spec.spans) if (x >= 0 && x < s.count) { n++; k = x; }
      if (n === 1) return `task #${s.index[k]} of ${regionName(s.region[k])} on ${threadName(s.thread[k])} (${ms(s.end[k] - s.start[k])})`;
      return `${n} tasks`;
    }
    case 'rank': {
      const n = rankedSpans(report, spec.region, spec.from, spec.to).length;
      const pct = (x: number) => `${Math.round(x * 100)} %`;
      const which = spec.from <= 0 && spec.to >= 1 ? 'all tasks' : spec.to >= 1 ? `slowest ${pct(1 - spec.from)}` : spec.from <= 0 ? `fastest ${pct(spec.to)}` : `tasks ranked ${pct(spec.from)}–${pct(spec.to)} by duration`;
      return `${which} of ${regionName(spec.region)} (${n} task${n === 1 ? '' : 's'})`;
    }
    case 'threads':
      return `${spec.threads.map(threadName).join(', ')} over ${ms(spec.from)} – ${ms(spec.to)}`;
  }
}

/** Samples a selection holds, over every thread. */
export function sampleCount(store: Store, spec: SelectionSpec): number {
  let n = 0;
  for (const v of store.samplesOf(spec)!.values()) n += v.length;
  return n;
}

/**
 * Headline numbers: the few that say whether the run used its threads. They need the run's
 * metrics (analysis.ts analyze: 0.2 s at 1M spans, seconds at 10M), so they are filled in after
 * the first paint, from the host's or the decoder worker's metrics where there are: the lanes
 * show first. The numbers' list gets `id` once it is there.
 */
export function headline(store: Store, id: string): HTMLElement {
  // A large report whose preview showed the recording's numbers keeps showing them, said to be those, until its own come.
  const recorded = store.recorded;
  const box = recorded
    ? el('div', { class: 'pp-headline', 'aria-busy': 'true' }, headlineList(recorded.headline, recorded.finding, `${id}-recorded`),
      el('p', { class: 'pp-hint', id: `${id}-pending` }, 'The recording\'s numbers, from the file\'s header: the report\'s own are being computed.'))
    : el('div', { class: 'pp-headline' }, el('p', { class: 'pp-hint', id: `${id}-pending`, 'aria-busy': 'true' }, 'Computing the headline numbers…'));
  // After the first paint (its frame comes first); from the decoder's worker when it computes them.
  requestAnimationFrame(() => {
    void store.whenMetrics().then(() => box.replaceWith(headlineNow(store, id)),
      // A window's numbers are the whole run's, from the reader: without them, why.
      (e: Error) => box.replaceWith(el('div', { class: 'pp-headline' }, el('p', { class: 'pp-hint', id: `${id}-pending` }, `No headline numbers: ${e.message}.`))));
  });
  return box;
}

function headlineNow(store: Store, id: string): HTMLElement {
  const m = store.metrics;
  let finding = '';
  try {
    finding = (store.givenFindings ?? verdicts(m, store.report))[0] ?? '';
  } catch (e) {
    finding = `(findings could not be computed: ${(e as Error).message})`;
  }
  return headlineList(headlineItems(store.report, m), finding, id);
}

/** The headline numbers as a labelled list, and the leading finding under them; `id`: the list's. */
export function headlineList(items: readonly HeadlineItem[], finding: string, id: string): HTMLElement {
  return el('div', { class: 'pp-headline' },
    el('dl', { class: 'pp-metrics', id, 'aria-label': 'Headline numbers' },
      ...items.map((i) => el('div', { 'data-headline': i.key }, el('dt', {}, i.label), el('dd', {}, i.value)))),
    finding ? el('p', { class: 'pp-finding', id: `${id}-finding` }, finding) : undefined);
}

/** The selection bar: what is selected, and what can be done with it. */
export class SelectionBar {
  readonly element: HTMLElement;
  private readonly text = el('output', { id: 'selection-text', 'aria-live': 'polite' });
  private readonly baselineButton = el('button', { type: 'button', id: 'selection-baseline', 'aria-label': 'Use this selection as the baseline to compare the next selection with' }, 'Use as baseline');
  private readonly flameButton = el('button', { type: 'button', id: 'selection-flamegraph', 'aria-label': 'Show the selection\'s samples in the flamegraph' }, 'Flamegraph of selection');
  private readonly clearButton = el('button', { type: 'button', id: 'selection-clear', 'aria-label': 'Clear the selection' }, 'Clear selection');
  /** A selection kept to compare the next one with. */
  private pendingBaseline: SelectionSpec | undefined;

  constructor(private readonly store: Store) {
    this.baselineButton.addEventListener('click', () => {
      this.pendingBaseline = store.selection;
      this.render();
    });
    this.flameButton.addEventListener('click', () => store.setView('flamegraph'));
    this.clearButton.addEventListener('click', () => { this.pendingBaseline = undefined; store.setSelection(undefined); });
    this.element = el('div', { class: 'pp-toolbar pp-selection', role: 'group', 'aria-label': 'Selection' }, this.text, this.flameButton, this.baselineButton, this.clearButton);
    store.on('selection', () => {
      // A new selection after "Use as baseline" is compared with the kept one.
      const kept = this.pendingBaseline;
      if (kept && store.selection && store.selection !== kept && !store.baseline) {
        this.pendingBaseline = undefined;
        store.setSelection(store.selection, kept);
        return;
      }
      this.render();
    });
    this.render();
  }

  private render(): void {
    const { store } = this;
    const sel = store.selection;
    this.flameButton.disabled = this.baselineButton.disabled = this.clearButton.disabled = !sel;
    if (!sel) {
      this.text.textContent = 'No tasks selected: click a task or a thread name, or pick tasks in Task durations, to see their code.';
      this.text.dataset.samples = '';
      return;
    }
    const samples = sampleCount(store, sel);
    this.text.dataset.samples = String(samples);
    let text = `Selected: ${describeSelection(store, sel)} · ${samples} CPU sample${samples === 1 ? '' : 's'}`;
    if (store.baseline) text += ` · compared with ${describeSelection(store, store.baseline)}`;
    else if (this.pendingBaseline) text += ` · baseline kept: select another set of tasks or threads to compare`;
    this.text.textContent = text;
  }
}

/** Top functions of the visible range (or of the selection), and the diff when a baseline is set. */
export class ExploreSide {
  readonly element: HTMLElement;
  readonly diff = new FlameDiffView();
  private readonly table = new TopFunctionsTable(() => undefined, 'timeline-top-functions');
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** What the table covers, under it (the caption stays short in a narrow side panel). */
  private readonly scope = el('p', { class: 'pp-hint', id: 'timeline-top-scope' });

  constructor(private readonly store: Store) {
    this.element = el('aside', { class: 'pp-explore-side', 'aria-label': 'Top functions' }, this.table.element, this.scope);
    store.on('window', () => {
      if (store.selection) return;
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.update(), WINDOW_SETTLE_MS);
    });
    store.on('selection', () => this.update());
    store.on('transforms', () => this.update());
    this.update();
  }

  /** Recomputes now if a change came while the panel was hidden (another view panned the shared window). */
  refresh(): void {
    if (this.stale) this.update();
  }

  private stale = false;

  update(): void {
    // Hidden (another tab): the table waits for the timeline to be shown again.
    if (this.element.isConnected && this.element.getClientRects().length === 0) {
      this.stale = true;
      return;
    }
    this.stale = false;
    const { store } = this;
    const { report } = store;
    const sel = store.selection;
    if (sel) {
      this.table.title = 'Top functions of the selection';
      this.scope.textContent = `Samples of ${describeSelection(store, sel)}.`;
      this.table.update(selectionFunctions(report, store.samplesOf(sel)!, store.transformed()), []);
    } else {
      const { from, to } = store.window;
      this.table.title = 'Top functions in view';
      this.scope.textContent = `Samples of every thread from ${ms(from)} to ${ms(to)}; per-thread times in the Flamegraph tab.`;
      this.table.update(functionStats(store.transformed(), { from, to }), []);
    }
    if (sel && store.baseline) {
      // Both sides over the transformed samples, as the flamegraph and the call tree show them.
      const a = selectionTree(report, store.samplesOf(store.baseline)!, store.transformed());
      const b = selectionTree(report, store.samplesOf(sel)!, store.transformed());
      const wasHidden = this.diff.element.hidden;
      this.diff.show(diffTrees(a, b), describeSelection(store, store.baseline), describeSelection(store, sel));
      // The diff sits below the lanes: bring it into view when it appears.
      if (wasHidden) requestAnimationFrame(() => this.diff.element.scrollIntoView({ block: 'nearest' }));
    } else this.diff.show(undefined, '', '');
  }
}

/** Intervals of the selection per thread, for drawing: [start, end] pairs in start order (computed once per selection). */
export function selectionByThread(store: Store): ReadonlyMap<number, Float64Array> {
  return store.pairsOf();
}
