// State shared by the views: the report and its metrics, the visible time window (timeline and
// flame chart share one axis), the selected time range (narrows the flamegraph), the active view.
import type { Report } from '../src/model/report';
import type { RunMetrics } from '../src/model/analysis';
import type { Analysis } from './report-decoder';
import { buildLaneIndexes, laneThreads, type LaneIndex } from './layout-timeline';
import { CALL_TREE_MODES, type CallTreeMode, type SliceInfo, type ViewId, type ViewState } from '../src/protocol';
import { asSelectionSpec, restrictToSelection, samplesInPairs, selectionPairs, selectionSamples, type PairsByThread, type SampleSets, type SelectionSpec } from '../src/model/selection';
import { applyTransforms, baseSamples, validTransforms, type CallSamples, type Transform } from '../src/model/transforms';
import { runEndUs } from '../src/model/report-preview';
import type { ReportAnswers } from '../src/model/report-answers';

type Events = {
  window: void;
  range: void;
  view: void;
  /** A task (report span index) to show on the timeline. */
  span: number;
  /** A region (Region.id) to show in the durations view. */
  region: number;
  /** The selected tasks (or threads × range) or the baseline they are compared with changed. */
  selection: void;
  /** The call-tree transforms or the runtime-frames toggle changed. */
  transforms: void;
  /** The threads chosen for the call tree and flamegraph changed. */
  threads: void;
  /** The flame chart's thread, or the call tree's mode or sandwich function, changed. */
  choices: void;
};

/** Longest function key read from view state, characters (a key is a name, a path and a line). */
const MAX_KEY_CHARS = 4096;

/** A time interval, µs from the report's origin. */
export interface Interval { from: number; to: number }

export class Store {
  /** The whole run on the time axis, µs: [0, end]. */
  readonly endUs: number;
  window: Interval;
  range: Interval | undefined;
  view: ViewId;
  /** Span highlighted on the timeline (report span index), or -1. */
  focusedSpan = -1;
  /** Tasks (or threads over a range) whose samples the flamegraph shows; undefined = every sample (narrowed by `range`). */
  selection: SelectionSpec | undefined;
  /** A second selection the first is compared with (differential flamegraph: baseline = A, selection = B). */
  baseline: SelectionSpec | undefined;
  private samplesCache: { spec: SelectionSpec; samples: SampleSets } | undefined;
  private pairsCache: { spec: SelectionSpec; pairs: PairsByThread } | undefined;
  /** Call-tree transforms applied in order by the flamegraph, flame chart and call tree (undone from the end). */
  transforms: Transform[];
  /** Show the pool's and recorder's own frames (hidden by default: transforms.ts hideRuntime). */
  showRuntime: boolean;
  /** Threads merged in the call tree and flamegraph (ascending ids); undefined = every thread. */
  threads: number[] | undefined;
  /** Thread the flame chart shows (one with a CPU profile); undefined = the view's default. */
  chartThread: number | undefined;
  callTreeMode: CallTreeMode;
  /** Function key the call tree's sandwich is about; undefined = the view's default. */
  sandwich: string | undefined;
  private transformedCache: CallSamples | undefined;
  private restrictedCache: { all: CallSamples; picked: SampleSets; samples: CallSamples } | undefined;
  private readonly listeners = new Map<keyof Events, Set<(value: never) => void>>();

  private computed: RunMetrics | undefined;
  /** The findings (summary.ts verdicts) the decoder's worker computed with the metrics, when it did. */
  givenFindings: string[] | undefined;
  /** The answers a large report's preview showed from its file's header (report-answers.ts), shown until the metrics come. */
  recorded: ReportAnswers | undefined;

  /** The lane index of each thread, in thread id order (laneIndexes). */
  private lanes: LaneIndex[] | undefined;
  /** Who built the lane indexes: the decoder's worker, or this page (read by tests). */
  lanesFrom: 'worker' | 'page' = 'page';

  /**
   * `analyze` runs on first use of `metrics`, so a view that does not need it paints sooner.
   * `lanes`: the lane indexes the decoder's worker built (laneIndexes), if it did.
   */
  constructor(readonly report: Report, private readonly analyze: (report: Report) => RunMetrics, initial: Partial<ViewState>, readonly canOpenSource: boolean,
    private readonly analysisLater?: Promise<Analysis | undefined>, lanes?: LaneIndex[]) {
    const ids = laneThreads(report.threads.map((t) => t.id));
    // Used only when they are the lanes of exactly these threads (else built on first use).
    if (lanes && lanes.length === ids.length && lanes.every((l, k) => l.thread === ids[k])) {
      this.lanes = lanes;
      this.lanesFrom = 'worker';
    }
    this.endUs = runEndUs(report);
    this.window = clampInterval(initial.window, this.endUs) ?? { from: 0, to: this.endUs };
    this.range = clampInterval(initial.range, this.endUs);
    // The timeline answers first: headline numbers, every thread's lane and the top functions in view.
    this.view = initial.view ?? 'timeline';
    this.selection = asSelectionSpec(initial.selection);
    this.baseline = this.selection && asSelectionSpec(initial.baseline);
    this.transforms = validTransforms(initial.transforms);
    this.showRuntime = initial.showRuntime === true;
    this.threads = chosenThreads(initial.threads);
    this.chartThread = this.profiledThread(initial.chartThread);
    this.callTreeMode = CALL_TREE_MODES.includes(initial.callTreeMode as CallTreeMode) ? initial.callTreeMode! : 'top-down';
    this.sandwich = this.callTreeMode === 'sandwich' ? functionKeyOf(initial.sandwich) : undefined;
  }

  /** `value` when it is the id of a thread with a CPU profile, else undefined. */
  private profiledThread(value: unknown): number | undefined {
    return Number.isInteger(value) && this.report.profiles.some((p) => p.thread === value) ? value as number : undefined;
  }

  /** The thread the flame chart shows (kept in the view state). */
  setChartThread(thread: number): void {
    const next = this.profiledThread(thread);
    if (next === this.chartThread) return;
    this.chartThread = next;
    this.emit('choices', undefined);
  }

  /** The call tree's mode and, for a sandwich, its function (kept in the view state). */
  setCallTree(mode: CallTreeMode, sandwich: string | undefined): void {
    const key = mode === 'sandwich' ? functionKeyOf(sandwich) : undefined;
    if (mode === this.callTreeMode && key === this.sandwich) return;
    this.callTreeMode = mode;
    this.sandwich = key;
    this.emit('choices', undefined);
  }

  /**
   * One lane index per thread of the report, in thread id order (the timeline's lanes; the flame
   * chart's task strip): those the decoder's worker built, else built here once (buildLaneIndexes).
   */
  laneIndexes(): LaneIndex[] {
    return (this.lanes ??= buildLaneIndexes(this.report.spans, laneThreads(this.report.threads.map((t) => t.id))));
  }

  get metrics(): RunMetrics {
    return (this.computed ??= this.analyze(this.report));
  }

  /** Whether the metrics are in (a windowed report's come from its reader: until then there are none). */
  get hasMetrics(): boolean {
    return this.computed !== undefined || !this.slice;
  }

  /**
   * A window of a report too large to show whole: the report is that window's (its tasks, samples
   * and waits), the metrics and findings the whole run's, from the host's reader.
   */
  slice: SliceInfo | undefined;

  /**
   * The metrics without blocking a paint: those the decoder's worker computes when it does, else
   * computed here on a later task (analyze takes seconds at 10M spans).
   */
  async whenMetrics(): Promise<RunMetrics> {
    if (!this.computed && this.analysisLater) {
      const a = await this.analysisLater;
      if (a) {
        this.computed ??= a.metrics;
        if (this.computed === a.metrics) this.givenFindings = a.findings;
      }
    }
    if (!this.computed) await new Promise((r) => setTimeout(r, 0));
    // A window's own numbers are not the run's: without the reader's there are none.
    if (!this.computed && this.slice) throw new Error('the report reader could not compute the whole run\'s metrics');
    return this.metrics;
  }

  on<K extends keyof Events>(event: K, listener: (value: Events[K]) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener as (value: never) => void);
    return () => set!.delete(listener as (value: never) => void);
  }

  private emit<K extends keyof Events>(event: K, value: Events[K]): void {
    for (const l of this.listeners.get(event) ?? []) (l as (v: Events[K]) => void)(value);
  }

  setWindow(from: number, to: number): void {
    let next = clampInterval({ from, to }, this.endUs);
    // A window of a report shows nothing outside it: zoom and pan stay inside (its lanes there would read as idle).
    if (next && this.slice) next = insideWindow(next, this.slice);
    if (!next || (next.from === this.window.from && next.to === this.window.to)) return;
    this.window = next;
    this.emit('window', undefined);
  }

  setRange(range: Interval | undefined): void {
    const next = range && clampInterval(range, this.endUs);
    if (next?.from === this.range?.from && next?.to === this.range?.to) return;
    this.range = next;
    this.emit('range', undefined);
  }

  setView(view: ViewId): void {
    if (view === this.view) return;
    this.view = view;
    this.emit('view', undefined);
  }

  /** Selects tasks (or threads × range) for the flamegraph; with a baseline, the flamegraph shows their difference. */
  setSelection(selection: SelectionSpec | undefined, baseline?: SelectionSpec): void {
    this.selection = selection;
    this.baseline = selection ? baseline : undefined;
    this.emit('selection', undefined);
  }

  /** The samples of a selection per thread (the current one by default), computed once per selection. */
  samplesOf(spec: SelectionSpec | undefined = this.selection): SampleSets | undefined {
    if (!spec) return undefined;
    if (this.samplesCache?.spec === spec) return this.samplesCache.samples;
    const samples = spec.kind === 'threads' ? selectionSamples(this.report, spec) : samplesInPairs(this.report, this.pairsOf(spec));
    if (spec === this.selection) this.samplesCache = { spec, samples };
    return samples;
  }

  /** A selection's intervals per thread, [start, end] pairs in start order (the current one by default; none without one), computed once per selection. */
  pairsOf(spec: SelectionSpec | undefined = this.selection): PairsByThread {
    if (!spec) return new Map();
    if (this.pairsCache?.spec === spec) return this.pairsCache.pairs;
    const pairs = selectionPairs(this.report, spec);
    if (spec === this.selection) this.pairsCache = { spec, pairs };
    return pairs;
  }

  /** The transformed samples restricted to the selection (all of them without one), computed once per change of either. */
  selectedTransformed(): CallSamples {
    const all = this.transformed();
    const picked = this.samplesOf();
    if (!picked) return all;
    const c = this.restrictedCache;
    if (c && c.all === all && c.picked === picked) return c.samples;
    const samples = restrictToSelection(all, picked);
    this.restrictedCache = { all, picked, samples };
    return samples;
  }

  /** Every thread's samples after the default view and the transforms, computed once per change. */
  transformed(): CallSamples {
    return (this.transformedCache ??= applyTransforms(baseSamples(this.report), this.transforms, { showRuntime: this.showRuntime }));
  }

  /** Applies a transform on top of the others; undoTransforms(n) keeps the first n. */
  pushTransform(t: Transform): void {
    this.setTransforms([...this.transforms, t], this.showRuntime);
  }

  undoTransforms(keep: number): void {
    if (keep < this.transforms.length) this.setTransforms(this.transforms.slice(0, Math.max(0, keep)), this.showRuntime);
  }

  setShowRuntime(on: boolean): void {
    if (on !== this.showRuntime) this.setTransforms(this.transforms, on);
  }

  private setTransforms(transforms: Transform[], showRuntime: boolean): void {
    this.transforms = transforms;
    this.showRuntime = showRuntime;
    this.transformedCache = undefined;
    this.emit('transforms', undefined);
  }

  /** Chooses the threads the call tree and flamegraph merge; undefined (or every profiled one) = all. */
  setThreads(threads: number[] | undefined): void {
    const next = chosenThreads(threads);
    if (String(next) === String(this.threads)) return;
    this.threads = next;
    this.emit('threads', undefined);
  }

  /** Shows span k on the timeline: switches view and zooms to it with some context around. */
  showSpan(k: number): void {
    const s = this.report.spans;
    if (k < 0 || k >= s.count) return;
    const d = Math.max(1, s.end[k] - s.start[k]);
    this.focusedSpan = k;
    this.setView('timeline');
    this.setWindow(s.start[k] - 2 * d, s.end[k] + 2 * d);
    this.emit('span', k);
  }

  /** Shows a region's task durations. */
  showRegion(id: number): void {
    this.setView('durations');
    this.emit('region', id);
  }

  state(): ViewState {
    return { view: this.view, window: this.window, range: this.range,
      ...(this.selection ? { selection: this.selection } : {}), ...(this.baseline ? { baseline: this.baseline } : {}),
      ...(this.transforms.length ? { transforms: this.transforms } : {}), ...(this.showRuntime ? { showRuntime: true } : {}),
      ...(this.threads ? { threads: this.threads } : {}), ...(this.chartThread !== undefined ? { chartThread: this.chartThread } : {}),
      ...(this.callTreeMode !== 'top-down' ? { callTreeMode: this.callTreeMode } : {}), ...(this.sandwich !== undefined ? { sandwich: this.sandwich } : {}) };
  }
}

/** A function key from view state: a string of bounded length; anything else is none. */
function functionKeyOf(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_KEY_CHARS ? value : undefined;
}

/** A thread set from view state or the menus: distinct integer ids, ascending; anything else is no choice (every thread). */
function chosenThreads(value: unknown): number[] | undefined {
  if (!Array.isArray(value) || value.length > 10_000 || !value.every((t) => Number.isInteger(t))) return undefined;
  return [...new Set(value as number[])].sort((a, b) => a - b);
}

/** `i` moved (and if need be narrowed) into the slice's window. */
function insideWindow(i: Interval, slice: { from: number; to: number }): Interval {
  const width = Math.min(i.to - i.from, slice.to - slice.from);
  const from = Math.max(slice.from, Math.min(i.from, slice.to - width));
  return { from, to: from + width };
}

/** `i` within [0, end], ordered, at least 1 µs wide; undefined for no interval or one not finite. */
export function clampInterval(i: Interval | undefined, end: number): Interval | undefined {
  if (!i || !Number.isFinite(i.from) || !Number.isFinite(i.to)) return undefined;
  let from = Math.max(0, Math.min(i.from, i.to));
  let to = Math.min(end, Math.max(i.from, i.to));
  if (to - from < 1) {
    // Keep at least 1 µs in view so zoom math never divides by zero.
    to = Math.min(end, from + 1);
    from = Math.max(0, to - 1);
  }
  return { from, to };
}
