// One task per message, however many listeners handle it (vitest's workers have two 'message'
// listeners: each message read as two tasks). Node calls every listener of one message back to
// back with the same value (a MessagePort's MessageEvent or data, a process's message object), so
// a listener called with the value the previous one got, and not yet called for it, handles the
// same message; a listener called again, or with another value, starts the next one. A message's
// span runs from its first listener's start until every listener returned (and the promise it
// returned settled): it is written when the next message starts, or at the first microtask after
// its last listener returned (after every listener of a MessagePort message: Node drains
// microtasks after each), whichever comes first.

/** The span of one message, once its last listener has finished. */
export type MessageSpanEnd<T> = (message: T, end: number, failed: boolean) => void;

interface Dispatch<T> {
  value: unknown;
  listeners: Set<unknown>;
  message: T;
  /** Listeners of it still running (or whose promise has not settled). */
  running: number;
  failed: boolean;
  /** When its last listener finished, while `running` is 0. */
  end: number;
  written: boolean;
}

export class MessageDispatch<T> {
  private current: Dispatch<T> | undefined;

  constructor(private readonly now: () => number, private readonly begin: () => T, private readonly write: MessageSpanEnd<T>) {}

  /**
   * `listener` was called with `value`: returns the message it handles (begun here when it is a
   * new one) and the function to call once that listener has finished.
   */
  enter(listener: unknown, value: unknown): { message: T; done: (failed: boolean) => void } {
    let d = this.current;
    if (!d || d.value !== value || d.listeners.has(listener)) {
      if (d && d.running === 0) this.finish(d);
      d = this.current = { value, listeners: new Set(), message: this.begin(), running: 0, failed: false, end: 0, written: false };
    }
    d.listeners.add(listener);
    d.running++;
    const mine = d;
    return {
      message: d.message,
      done: (failed) => {
        mine.failed ||= failed;
        if (--mine.running > 0) return;
        mine.end = this.now();
        // A listener that threw may end its thread before any microtask runs: written at once.
        if (failed) this.finish(mine);
        else queueMicrotask(() => { if (mine.running === 0) this.finish(mine); });
      },
    };
  }

  private finish(d: Dispatch<T>): void {
    if (d.written) return;
    d.written = true;
    if (this.current === d) this.current = undefined;
    this.write(d.message, d.end, d.failed);
  }
}
