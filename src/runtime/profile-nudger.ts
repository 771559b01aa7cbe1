// A thread that runs JavaScript without yielding (a long task, `while (true)`) runs none of its
// timers, so it cannot cut its own profile chunks (recorder-profile.ts): a SIGKILL or a
// cancelled loop would lose all its samples since the last cut. So the main thread starts one
// small helper thread of the recorder's own, the nudger. Every chunk length it asks the main thread
// (an inspector session from Session.connectToMainThread()) and each worker of the main thread
// (the NodeWorker domain of that session) to cut a chunk if its own is old enough
// (recorder-profile.ts). V8 serves inspector messages through isolate interrupts, so the ask runs on
// the busy thread between two of its JavaScript instructions.
//
// The helper has PARPROF_INTERNAL set and no NODE_OPTIONS: the preload is not even loaded there
// (~12 ms of CPU saved), and the report does not list it. It takes a thread id (user workers
// count from 2). The main thread's NodeWorker domain attaches every worker of the process,
// workers of workers too (Node 20: a worker's inspector reports its workers to its parent's,
// up to the main thread's), so they are asked like the main thread's own workers; a worker's
// own session has no NodeWorker domain.
//
// A session from connectToMainThread() that is still open when the process exits makes Node
// print "Waiting for the debugger to disconnect..." on stderr; the main thread's 'exit' listener
// has the helper disconnect first (a shared-memory handshake, at most EXIT_WAIT_MS).
//
// A hazard (Node 20 and 24): a worker's termination that arrives while the worker runs an
// inspector Runtime.evaluate is lost, and the worker runs on; at process exit Node then waits
// for it forever (19 of 20 terminate() calls hung with a 5 ms evaluate every 1 ms). So at exit
// the helper stops asking and waits for the answer to every ask in flight before it lets the
// main thread go on to end its workers; an ask that finds nothing to cut returns in microseconds.
import { Worker, setEnvironmentData, threadId as ownThreadId } from 'node:worker_threads';
import { CONTROL_KEY, CONTROL_WORDS, setControl } from './nudge-stop';
import { CUT_KEY } from './recorder-profile';
import { ENV, ORIGINAL_ATOMICS_WAIT_KEY } from './contract';
import { warn } from './recorder';

/**
 * Longest the main thread waits at exit for the helper to disconnect, ms. It answers in ~3 ms
 * when it gets a core; past this, Node prints its "Waiting for the debugger" line and exits.
 */
const EXIT_WAIT_MS = 1000;

/**
 * The shared words: control[STATE] is STARTING until the helper connects (RUNNING) or the main
 * thread exits first (EXITING, and the helper never connects); control[DISCONNECTED] is 1 once
 * the helper has disconnected. Numbers, not names, inside nudgerThread: it is serialized alone.
 */
const STATE = 0, DISCONNECTED = 1;
const STARTING = 0, EXITING = 2;
interface NudgerData { control: Int32Array; nudgeMs: number; expression: string }

/** Starts the nudger (main thread only, once): it asks every `nudgeMs`. */
export function startProfileNudger(nudgeMs: number): void {
  if (ownThreadId !== 0 || !(nudgeMs > 0)) return;
  try {
    const words = new Int32Array(new SharedArrayBuffer(4 * CONTROL_WORDS));
    setControl(words);
    setEnvironmentData(CONTROL_KEY, words.buffer);
    const data: NudgerData = { control: words, nudgeMs, expression: `void globalThis[Symbol.for(${JSON.stringify(CUT_KEY)})]?.()` };
    // Neither the preload nor any of the user's NODE_OPTIONS or flags: the helper is ours, and
    // each module it would load costs CPU time in every recorded run.
    const env: NodeJS.ProcessEnv = { ...process.env, [ENV.internal]: '1' };
    delete env.NODE_OPTIONS;
    const helper = new Worker(`(${nudgerThread.toString()})(require('node:worker_threads').workerData)`, {
      eval: true, workerData: data, env, execArgv: [], name: 'parprof profile nudger',
    });
    helper.unref();
    helper.on('error', (err) => warn('the profile nudger stopped', err));
    process.on('exit', () => {
      // A helper still starting will not connect (a script shorter than its start-up waits for nothing).
      if (Atomics.compareExchange(words, STATE, STARTING, EXITING) === STARTING) return;
      Atomics.store(words, STATE, EXITING);
      Atomics.notify(words, STATE);
      const wait = ((globalThis as Record<symbol, unknown>)[ORIGINAL_ATOMICS_WAIT_KEY] as typeof Atomics.wait | undefined) ?? Atomics.wait;
      wait(words, DISCONNECTED, 0, EXIT_WAIT_MS);
    });
  } catch (err) {
    warn('cannot start the profile nudger (busy threads keep only the chunks they cut themselves)', err);
  }
}

/** The helper thread's whole program: serialized with toString(), so it uses nothing from outside but `require`. */
function nudgerThread(data: NudgerData): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Session } = require('node:inspector') as typeof import('node:inspector');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const self = (require('node:worker_threads') as typeof import('node:worker_threads')).threadId;
  // STARTING (0) → RUNNING (1), unless the main thread is already exiting (2).
  if (Atomics.compareExchange(data.control, 0, 0, 1) !== 0) return;
  const session = new Session();
  session.connectToMainThread();
  /** Thread id of each worker session (the title starts '[worker <threadId>]'). */
  const workers = new Map<string, number>();
  session.on('NodeWorker.attachedToWorker', (m: { params: { sessionId: string; workerInfo: { title: string } } }) => {
    const tid = Number(/^\[worker (\d+)\]/.exec(m.params.workerInfo.title)?.[1] ?? -1);
    if (tid !== self) workers.set(m.params.sessionId, tid);
  });
  session.on('NodeWorker.detachedFromWorker', (m: { params: { sessionId: string } }) => { workers.delete(m.params.sessionId); });
  const stoppedIds = new Set<number>();
  let stoppedSeen = 0;
  session.post('NodeWorker.enable', { waitForDebuggerOnStart: false });
  const message = JSON.stringify({ id: 1, method: 'Runtime.evaluate', params: { expression: data.expression } });
  /** Asks not answered yet, by worker session ('' for the main thread). */
  const inFlight = new Map<string, number>();
  const more = (k: string, n: number): void => { inFlight.set(k, (inFlight.get(k) ?? 0) + n); };
  let stopping = false;
  let finish = (): void => undefined;
  const answered = (k: string): void => {
    more(k, -1);
    if (stopping && [...inFlight.values()].every((n) => n <= 0)) finish();
  };
  session.on('NodeWorker.receivedMessageFromWorker', (m: { params: { sessionId: string } }) => answered(m.params.sessionId));
  session.on('NodeWorker.detachedFromWorker', (m: { params: { sessionId: string } }) => {
    inFlight.delete(m.params.sessionId);
    if (stopping && [...inFlight.values()].every((n) => n <= 0)) finish();
  });
  const timer = setInterval(() => {
    more('', 1);
    session.post('Runtime.evaluate', { expression: data.expression }, () => answered(''));
    // control[2] ids taken, id + 1 at control[3 + k % 256], 0 until written (STOPPED_* above).
    const stoppedNow = Atomics.load(data.control, 2);
    for (; stoppedSeen < stoppedNow; stoppedSeen++) {
      const id = Atomics.exchange(data.control, 3 + (stoppedSeen % 256), 0);
      if (id === 0) break;
      stoppedIds.add(id - 1);
    }
    for (const [sessionId, tid] of workers) {
      if (stoppedIds.has(tid)) continue;
      more(sessionId, 1);
      session.post('NodeWorker.sendMessageToWorker', { sessionId, message });
    }
  }, data.nudgeMs);
  let stopped = false;
  finish = (): void => {
    if (stopped) return;
    stopped = true;
    try { session.disconnect(); } catch { /* already gone */ }
    Atomics.store(data.control, 1, 1);
    Atomics.notify(data.control, 1);
    // Stay: a thread that ends by itself while the main thread runs its last 'exit' listeners
    // tears its inspector down (its session's state on the main thread, its worker handle) side
    // by side with them, the shape of Node's flaky crash of a connectToMainThread() session
    // (nodejs/node#40611, SIGABRT with no message; seen here about once in 500-1000 recorded
    // runs, main's last chunk lost). Blocked here, the helper is ended by Node's own teardown of
    // the workers still running at exit, after the last JavaScript of the main thread, as any
    // live worker is. It is unref()ed: it keeps nothing alive.
    Atomics.wait(data.control, 1, 1);
  };
  const stop = (): void => {
    clearInterval(timer);
    stopping = true;
    // The main thread waits in Atomics.wait: its own ask is answered inside that wait (it cuts
    // nothing there), the workers' as they come.
    if ([...inFlight.values()].every((n) => n <= 0)) finish();
  };
  // Resolves when control[0] leaves RUNNING (1): the main thread is exiting.
  const exiting = (Atomics as unknown as { waitAsync: (a: Int32Array, i: number, v: number) => { async: boolean; value: Promise<string> | string } })
    .waitAsync(data.control, 0, 1);
  if (exiting.async) void (exiting.value as Promise<string>).then(stop);
  else stop();
}
