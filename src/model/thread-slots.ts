// Threads that lived one after another, as the slots of a pool that replaces its workers: vitest
// starts a worker per test file with at most two alive at once, a pool with an idle timeout ends
// its workers and starts new ones. Balance over such threads counts what could run at once: six
// threads of which at most two were ever alive give a window two threads wide, not six (counting
// six, 64 % of the pool's room looked like 21 %, and each thread's time before it existed looked
// like a start delay). Pure; linear in threads times slots.

/** A thread's life within a window, µs from origin: [start, end). */
export interface Life { start: number; end: number }

/**
 * The slot of each life (lives in the same slot never overlap; lives that merely touch may share
 * one), as few slots as the most lives alive at one instant: interval partitioning, lives taken by
 * start, each into a slot already free (the one free longest) or a new one. Undefined when every
 * life needs its own slot (the threads were all alive together at some point: the usual pool).
 */
export function lifeSlots(lives: readonly Life[]): { slotOf: Int32Array; slots: number } | undefined {
  const n = lives.length;
  if (n < 2) return undefined;
  const order = Array.from({ length: n }, (_, k) => k).sort((a, b) => lives[a].start - lives[b].start || a - b);
  const slotOf = new Int32Array(n);
  const freeAt: number[] = [];
  for (const k of order) {
    let best = -1;
    for (let s = 0; s < freeAt.length; s++) if (freeAt[s] <= lives[k].start && (best < 0 || freeAt[s] < freeAt[best])) best = s;
    if (best < 0) {
      best = freeAt.length;
      freeAt.push(lives[k].end);
    } else freeAt[best] = lives[k].end;
    slotOf[k] = best;
  }
  return freeAt.length < n ? { slotOf, slots: freeAt.length } : undefined;
}

/** One slot's time in a window, µs, from its threads' splits: busy + startDelay + gaps + tailIdle = to − from. */
export interface SlotSplit {
  busy: number; lastEnd: number; startDelay: number; gaps: number; tailIdle: number; ran: boolean;
  /** The part of startDelay spent in hand-overs (after the slot's first task): one thread's last task to the next one's first. */
  handover: number;
  /** Hand-overs: the slot's threads that ran a task in the window, less one. */
  handovers: number;
}

/**
 * The slots' splits of a window [from, to] from their threads' (`busy`; `gaps`: between its own
 * tasks; `first`: the start of its first span in the window; `lastEnd`: the end of its last,
 * -Infinity with none): a slot is busy when one of its threads is (their lives do not overlap, so
 * their busy times add), and between tasks when one of its threads is between two of its own. Its
 * start delay is the time before its threads' tasks: from the window's start to its first task,
 * and each hand-over from one thread's last task to the next thread's first (a worker ending, the
 * next one starting: no dispatch between tasks). Its tail runs from its last task to the window's end.
 */
export function slotSplits(slots: number, slotOf: ArrayLike<number>, threads: readonly { busy: number; gaps: number; first: number; lastEnd: number }[], from: number, to: number): SlotSplit[] {
  const out = Array.from({ length: slots }, () => ({ busy: 0, gaps: 0, first: Infinity, lastEnd: -Infinity, ran: 0 }));
  threads.forEach((t, k) => {
    const s = out[slotOf[k]];
    s.busy += t.busy;
    s.gaps += t.gaps;
    if (t.first < Infinity) s.ran++;
    if (t.first < s.first) s.first = t.first;
    if (t.lastEnd > s.lastEnd) s.lastEnd = t.lastEnd;
  });
  const wall = Math.max(0, to - from);
  return out.map((s) => {
    if (s.first === Infinity) return { busy: 0, lastEnd: -Infinity, startDelay: 0, gaps: 0, tailIdle: wall, ran: false, handover: 0, handovers: 0 };
    const tailIdle = Math.max(0, to - s.lastEnd);
    const startDelay = Math.max(0, wall - s.busy - s.gaps - tailIdle);
    return { busy: s.busy, lastEnd: s.lastEnd, startDelay, gaps: s.gaps, tailIdle, ran: true,
      handover: Math.max(0, startDelay - (s.first - from)), handovers: Math.max(0, s.ran - 1) };
  });
}
