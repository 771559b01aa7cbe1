// A forked child driven by its parent's messages (jest-worker's shape: a process.on('message')
// listener runs a task and process.send()s the result) gets one span per message, for as long as
// its listeners (and the promises they returned) ran (message-dispatch.ts: one span however many
// listeners a message has), in a region of its own named CHILD_MESSAGES_FN.
// When the parent sent each message is not known here: the runner marks these spans' wait as not
// known (SPAN_NO_ENQUEUE), and turns the `first` field's EXTERNAL_SPAN_CONCURRENT bit (several
// messages in flight on an async listener) into SPAN_CONCURRENT, as for external spans.
import { CHILD_MESSAGES_FN, EXTERNAL_SPAN_CONCURRENT, NOT_STOLEN, NO_PARENT } from './contract';
import { warn, type SpoolRecorder } from './recorder';
import { MessageDispatch } from './message-dispatch';
import { poolOnStack, replyOf, taskOf, type KnownPool } from './interop-messages';

const PATCHED = Symbol.for('parallel-profiler.childMessagesPatched');

type Listener = ((...args: unknown[]) => unknown) & { listener?: unknown };

export function instrumentChildMessages(rec: SpoolRecorder): void {
  const proc = process as unknown as Record<string | symbol, unknown>;
  if (typeof process.send !== 'function' || proc[PATCHED]) return;
  Object.defineProperty(proc, PATCHED, { value: true, enumerable: false });
  let region: number | undefined;
  let next = 0;
  let inFlight = 0;
  const regionKey = (): number => region ??= rec.beginRegion({
    name: `messages from parent (pid ${process.pid})`, kind: 'external', pool: rec.newPoolId(), fn: CHILD_MESSAGES_FN, schedule: 'external',
    threads: 1, items: 0, chunkSize: 1, start: rec.now(),
  });
  interface Message { key: number; index: number; start: number; concurrent: boolean }
  const dispatch = new MessageDispatch<Message>(() => rec.now(), () => {
    const m = { key: regionKey(), index: next++, start: rec.now(), concurrent: ++inFlight > 1 };
    if (m.concurrent) for (const other of open) other.concurrent = true;
    open.add(m);
    return m;
  }, (m, end, failed) => {
    open.delete(m);
    inFlight--;
    rec.span(m.key, m.index, m.concurrent ? EXTERNAL_SPAN_CONCURRENT : 0, 1, m.start, m.start, end, NOT_STOLEN, NO_PARENT, failed ? 1 : 0);
  });
  /** Messages whose listeners have not all finished: one that starts meanwhile makes them all concurrent. */
  const open = new Set<Message>();
  // A known pool's process worker (tinypool's runtime 'child_process') starts its task from the
  // listener and answers later, outside it: its task's span runs from the task message to the
  // reply with the same task id (interop-messages.ts), and the pool's own messages get none.
  // Before, its 20 ms tasks read 16 µs (the listener's return).
  let poolSeen: KnownPool | null = null;
  const poolTasks = new Map<unknown, Message>();
  const poolListener = (lib: KnownPool, fn: Listener): Listener => function (this: unknown, ...args: unknown[]): unknown {
    try {
      const task = taskOf(lib, args[0], 0);
      if (task && !poolTasks.has(task.id)) {
        const m: Message = { key: regionKey(), index: next++, start: rec.now(), concurrent: ++inFlight > 1 };
        if (m.concurrent) for (const other of open) other.concurrent = true;
        open.add(m);
        poolTasks.set(task.id, m);
      }
    } catch (err) {
      warn('cannot record a task from the parent process', err);
    }
    return fn.apply(this, args);
  };
  const send = process.send;
  process.send = function (this: NodeJS.Process, ...args: unknown[]): boolean {
    if (poolSeen !== null) {
      try {
        const reply = replyOf(poolSeen, args[0]);
        const m = reply && poolTasks.get(reply.id);
        if (reply && m) {
          poolTasks.delete(reply.id);
          open.delete(m);
          inFlight--;
          rec.span(m.key, m.index, m.concurrent ? EXTERNAL_SPAN_CONCURRENT : 0, 1, m.start, m.start, rec.now(), NOT_STOLEN, NO_PARENT, reply.failed ? 1 : 0);
        }
      } catch (err) {
        warn('cannot record a reply to the parent process', err);
      }
    }
    return (send as (...a: unknown[]) => boolean).apply(this, args);
  } as typeof process.send;
  const wrap = (fn: Listener): Listener => {
    const lib = poolOnStack(new Error().stack ?? '');
    if (lib) {
      poolSeen = lib;
      const wrapped = poolListener(lib, fn);
      wrapped.listener = fn;
      return wrapped;
    }
    const wrapped: Listener = function (this: unknown, ...args: unknown[]): unknown {
      let done: (failed: boolean) => void;
      try {
        done = dispatch.enter(wrapped, args[0]).done;
      } catch (err) {
        warn('cannot record a message from the parent process', err);
        return fn.apply(this, args);
      }
      let result: unknown;
      try {
        result = fn.apply(this, args);
      } catch (err) {
        done(true);
        throw err;
      }
      if (result && typeof (result as Promise<unknown>).then === 'function') {
        (result as Promise<unknown>).then(() => done(false), () => done(true));
      } else done(false);
      return result;
    };
    // EventEmitter's removeListener and listeners() look through `.listener`: the user's function still removes and lists.
    wrapped.listener = fn;
    return wrapped;
  };
  for (const name of ['on', 'addListener', 'prependListener'] as const) {
    const original = process[name] as (type: string | symbol, listener: Listener) => NodeJS.Process;
    process[name] = function (this: NodeJS.Process, type: string | symbol, listener: Listener): NodeJS.Process {
      return original.call(this, type, type === 'message' && typeof listener === 'function' ? wrap(listener) : listener);
    } as typeof process.on;
  }
}
