// Selecting tasks on the timeline: a click selects a task (Ctrl/Cmd adds or removes it), a thread
// name its thread over the selected range; from the keyboard, brackets walk the tasks of a lane,
// Page Up/Down move between lanes, Space selects the focused task and T the lane's thread. What is
// focused is announced in a live region.
import { CUT_OFF_WORDS, SPAN_CUT_OFF } from '../src/model/report';
import type { SelectionSpec } from '../src/model/selection';
import type { Store } from './store';
import { ms } from './dom';
import { nearestSpan, visibleSpans, type LaneIndex } from './layout-timeline';

export class TaskPicker {
  /** Lane the keyboard moves along (index into lanes), −1 before the first move. */
  private keyLane = -1;

  /** `lostSamples(thread, from, to)`: sentences for the stretches of the thread without CPU samples there (lane-gaps.ts). */
  constructor(private readonly store: Store, private readonly lanes: LaneIndex[], private readonly threadName: Map<number, string>,
    private readonly out: HTMLElement, private readonly request: () => void,
    private readonly lostSamples: (thread: number, from?: number, to?: number) => string[] = () => []) {}

  /** Selects the keyboard lane's thread (with `add`, as Ctrl/Cmd-click: adds or removes it). */
  selectKeyLane(add: boolean): void {
    if (this.keyLane >= 0) this.selectThread(this.lanes[this.keyLane].thread, add);
  }

  /** Selects task k (with `add`: adds it to, or removes it from, the selected tasks). */
  selectSpan(k: number, add: boolean): void {
    const cur = this.store.selection;
    this.store.focusedSpan = k;
    let spans = [k];
    if (add && cur?.kind === 'spans') spans = cur.spans.includes(k) ? cur.spans.filter((x) => x !== k) : [...cur.spans, k];
    this.store.setSelection(spans.length ? { kind: 'spans', spans } : undefined);
  }

  /** Selects a thread over the selected range (or the whole run); with `add`, adds or removes it. */
  selectThread(thread: number, add: boolean): void {
    const cur = this.store.selection;
    const r = this.store.range ?? { from: 0, to: this.store.endUs };
    let threads = [thread];
    if (add && cur?.kind === 'threads') threads = cur.threads.includes(thread) ? cur.threads.filter((x) => x !== thread) : [...cur.threads, thread];
    const spec: SelectionSpec | undefined = threads.length ? { kind: 'threads', threads, from: r.from, to: r.to } : undefined;
    this.store.setSelection(spec);
    // Ctrl/Cmd-click builds a set of threads, as in Firefox Profiler: the call tree and the
    // flamegraph merge exactly those (a plain click selects one thread's samples only).
    if (add) this.store.setThreads(threads.length ? threads : undefined);
  }

  /** Keyboard: the next (+1) or previous (−1) task on the keyboard lane, panned into view. */
  moveTask(step: number): void {
    if (this.keyLane < 0) this.keyLane = Math.max(0, this.lanes.findIndex((l) => l.start.length > 0));
    const lane = this.lanes[this.keyLane];
    if (!lane || lane.start.length === 0) return this.announce(`${this.threadName.get(lane?.thread ?? -1) ?? 'this thread'} has no tasks`);
    const at = lane.span.indexOf(this.store.focusedSpan);
    let i: number;
    if (at >= 0) i = Math.max(0, Math.min(lane.span.length - 1, at + step));
    else {
      const [lo, hi] = visibleSpans(lane, this.store.window.from, this.store.window.to);
      i = Math.min(lane.span.length - 1, step > 0 ? lo : Math.max(lo, hi - 1));
    }
    this.focusSpan(lane.span[i]);
  }

  /** Keyboard: the lane below (+1) or above (−1); focus goes to its task nearest in time. */
  moveLane(step: number): void {
    const k = Math.max(0, Math.min(this.lanes.length - 1, (this.keyLane < 0 ? 0 : this.keyLane + step)));
    this.keyLane = k;
    const lane = this.lanes[k];
    const s = this.store.report.spans;
    const f = this.store.focusedSpan;
    const t = f >= 0 ? s.start[f] : (this.store.window.from + this.store.window.to) / 2;
    const i = nearestSpan(lane, t);
    if (i >= 0) this.focusSpan(lane.span[i], this.lostSamples(lane.thread));
    else {
      this.store.focusedSpan = -1;
      this.announce(`${this.threadName.get(lane.thread)}: no tasks.${sentences(this.lostSamples(lane.thread))}`);
      this.request();
    }
  }

  /** Focuses task k and announces it, with `lost` (a lane's lost samples) or else those inside the task. */
  private focusSpan(k: number, lost?: string[]): void {
    const s = this.store.report.spans;
    this.store.focusedSpan = k;
    this.keyLane = this.lanes.findIndex((l) => l.thread === s.thread[k]);
    const { from, to } = this.store.window;
    const pan = panToShow(from, to, s.start[k], s.end[k]);
    if (pan !== 0) {
      // Kept inside the run so the window keeps its width (the Store would cut it at 0 or the end).
      const at = Math.max(0, Math.min(this.store.endUs - (to - from), from + pan));
      this.store.setWindow(at, at + (to - from));
    }
    const region = this.store.report.regions.find((r) => r.id === s.region[k]);
    const gaps = lost ?? this.lostSamples(s.thread[k], s.start[k], s.end[k]);
    const cut = ((s.flags?.[k] ?? 0) & SPAN_CUT_OFF) !== 0 ? ` ${CUT_OFF_WORDS}.` : '';
    this.announce(`${this.threadName.get(s.thread[k])}: task #${s.index[k]} of ${region?.name ?? s.region[k]}, ${ms(s.end[k] - s.start[k])} from ${ms(s.start[k])}.${cut} Space selects it.${sentences(gaps)}`);
    this.request();
  }

  private announce(text: string): void {
    this.out.textContent = text;
  }
}

/** Share of the window left as a margin beside a task panned into view. */
const PAN_MARGIN = 0.05;

/**
 * µs to move the window [from, to] by (same width) so the task [start, end] is in view: 0 when it
 * is already wholly in view; else all of it with a small margin when it fits, its start when it is
 * wider than the window.
 */
export function panToShow(from: number, to: number, start: number, end: number): number {
  if (start >= from && end <= to) return 0;
  const w = to - from;
  const margin = Math.min(w * PAN_MARGIN, Math.max(0, (w - (end - start)) / 2));
  if (end - start > w - 2 * margin || start < from) return start - margin - from;
  return end + margin - to;
}

/** Lower-case clauses as sentences, each after a space. */
function sentences(clauses: string[]): string {
  return clauses.map((c) => ` ${c.charAt(0).toUpperCase()}${c.slice(1)}.`).join('');
}
