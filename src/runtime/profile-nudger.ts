// A thread that runs JavaScript without yielding (a long task, `while (true)`) runs none of its
// timers, so it cannot cut its own profile chunks (recorder-profile.ts): a SIGKILL or a
// cancelled loop would lose all its samples since the last cut. So somebody else asks it to cut,
// through the inspector: V8 serves inspector messages through isolate interrupts, so the ask runs
// on the busy thread between two of its JavaScript instructions.
//
// Workers are asked by the main thread, through the session on which it already watches its
// workers (terminate-save.ts: NodeWorker enabled before its first worker; it attaches every worker
// of the process, workers of workers too, since a worker's inspector reports its workers to its
// parent's, up to the main thread's). The main thread asks every chunk length on a timer of its
// own, and whenever it is asked itself (below).
//
// The main thread, when it is the busy one, is asked by a helper thread of the recorder's own:
// an inspector session from Session.connectToMainThread(). That API is the one piece here with a
// known rare crash (nodejs/node#40611: SIGABRT with no message, open since 2021; here about one
// recorded run in 500-1000 aborted at exit, with the old helper attached to every worker through
// NodeWorker on that session). So the helper connects only when the main thread needs it: it
// watches the time of main's last cut (a shared word) and connects once main's chunk is
// overdue (its own timer would have cut it); it never enables NodeWorker. Runs whose main thread
// keeps yielding (most: it awaits its pools) never connect. Once connected, the helper asks
// the main thread every chunk length, and main asks its workers in turn.
//
// The helper has PARPROF_INTERNAL set and no NODE_OPTIONS: the preload is not even loaded there
// (~12 ms of CPU saved), and the report does not list it.
//
// A session from connectToMainThread() that is still open when the process exits makes Node
// print "Waiting for the debugger to disconnect..." on stderr; the main thread's 'exit' listener
// has a connected helper disconnect first (a shared-memory handshake, at most EXIT_WAIT_MS).
//
// A hazard (Node 20 and 24): a worker's termination that arrives while the worker runs an
// inspector Runtime.evaluate is lost, and the worker runs on; at process exit Node then waits
// for it forever (19 of 20 terminate() calls hung with a 5 ms evaluate every 1 ms). So at exit
// the main thread stops asking and waits for the answer to every ask in flight (its own to the
// workers, the helper's to it) before it goes on to end its workers; an ask that finds nothing to
// cut returns in microseconds. Workers about to be terminated, or ending by themselves, are not
// asked (nudge-targets.ts).
import { Worker, threadId as ownThreadId } from 'node:worker_threads';
import { MAIN_CUT_AT, NUDGER_STATE, NUDGER_DISCONNECTED, ensureControl, postAsks } from './nudge-targets';
import { CUT_KEY } from './recorder-profile';
import { ENV, ORIGINAL_ATOMICS_WAIT_KEY } from './contract';
import { warn } from './recorder';
import { askWorkersToCut, workerCutsInFlight } from './terminate-save';

/**
 * Longest the main thread waits at exit for the answers to its asks and for a connected helper to
 * disconnect, ms. Both come in a few ms when the threads get a core; past this, it goes on (and
 * Node may print its "Waiting for the debugger" line).
 */
const EXIT_WAIT_MS = 1000;
/**
 * The helper connects once main's chunk is this many chunk lengths old: main's own timer cuts
 * from 1 chunk length on, looking every fifth of one (recorder-profile.ts), so an older chunk
 * means main runs no timers.
 */
const OVERDUE_CHUNKS = 2;
/**
 * control[NUDGER_STATE]: STARTING until the helper runs (WATCHING), CONNECTED once it has
 * connected; EXITING once the main thread exits (a helper not connected by then never connects).
 * Numbers, not names, inside nudgerThread: it is serialized alone.
 */
const STARTING = 0, WATCHING = 1, EXITING = 2, CONNECTED = 3;
interface NudgerData { control: Int32Array; nudgeMs: number; expression: string; epoch: number; overdueMs: number }

/** The expression that makes a thread cut its chunk if it is old enough (recorder-profile.ts). */
const CUT_EXPRESSION = `void globalThis[Symbol.for(${JSON.stringify(CUT_KEY)})]?.()`;

let words: Int32Array | undefined;
let epoch = 0;
let chunkMs = 0;
let lastAsked = -Infinity;
let exiting = false;

/** Main thread: its chunk was just cut (or started). The helper compares this with the time. */
export function mainChunkCut(): void {
  if (words) Atomics.store(words, MAIN_CUT_AT, Date.now() - epoch);
}

/**
 * Main thread: asks every recorded worker that can be asked (nudge-targets.ts) to cut its chunk if
 * it is old enough, at most twice a chunk length. Safe inside an interrupt (an ask of the helper's): posts on a session of this
 * thread, which only queue messages for the workers' threads.
 */
export function askWorkers(): void {
  if (!words || exiting) return;
  const now = performance.now();
  if (now - lastAsked < chunkMs / 2) return;
  if (postAsks((targets) => askWorkersToCut(CUT_EXPRESSION, (tid) => targets?.askable.has(tid) === true))) lastAsked = now;
}

/** Starts the nudging (main thread only, once): main asks its workers every `nudgeMs`; the helper watches main. */
export function startProfileNudger(nudgeMs: number): void {
  if (ownThreadId !== 0 || !(nudgeMs > 0)) return;
  try {
    const control = ensureControl();
    if (!control) throw new Error('no shared memory for the nudging');
    words = control;
    epoch = Date.now();
    chunkMs = nudgeMs;
    mainChunkCut();
    const timer = setInterval(askWorkers, nudgeMs);
    timer.unref();
    const data: NudgerData = { control, nudgeMs, expression: CUT_EXPRESSION, epoch, overdueMs: OVERDUE_CHUNKS * nudgeMs };
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
      clearInterval(timer);
      exiting = true;
      const wait = ((globalThis as Record<symbol, unknown>)[ORIGINAL_ATOMICS_WAIT_KEY] as typeof Atomics.wait | undefined) ?? Atomics.wait;
      const deadline = performance.now() + EXIT_WAIT_MS;
      // The workers' answers arrive as inspector events, served inside this wait.
      const sleeper = new Int32Array(new SharedArrayBuffer(4));
      while (workerCutsInFlight() > 0 && performance.now() < deadline) wait(sleeper, 0, 0, 1);
      // A helper still starting or only watching never connects now.
      if (Atomics.compareExchange(control, NUDGER_STATE, STARTING, EXITING) === STARTING) return;
      if (Atomics.compareExchange(control, NUDGER_STATE, WATCHING, EXITING) === WATCHING) return;
      Atomics.store(control, NUDGER_STATE, EXITING);
      Atomics.notify(control, NUDGER_STATE);
      wait(control, NUDGER_DISCONNECTED, 0, Math.max(1, deadline - performance.now()));
    });
  } catch (err) {
    warn('cannot start the profile nudger (busy threads keep only the chunks they cut themselves)', err);
  }
}

/** The helper thread's whole program: serialized with toString(), so it uses nothing from outside but `require`. */
function nudgerThread(data: NudgerData): void {
  // Word indexes (nudge-targets.ts): 0 state, 1 disconnected, 2 main's last cut (ms since data.epoch).
  // States: 0 starting, 1 watching, 2 exiting, 3 connected.
  if (Atomics.compareExchange(data.control, 0, 0, 1) !== 0) return;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Session } = require('node:inspector') as typeof import('node:inspector');
  let session: InstanceType<typeof Session> | undefined;
  let inFlight = 0;
  let stopping = false;
  let stopped = false;
  let tick = 0;
  const finish = (): void => {
    if (stopped) return;
    stopped = true;
    try { session?.disconnect(); } catch { /* already gone */ }
    Atomics.store(data.control, 1, 1);
    Atomics.notify(data.control, 1);
    // Stay: a thread that ends by itself while the main thread runs its last 'exit' listeners
    // tears its inspector down side by side with them (the shape of nodejs/node#40611). Blocked
    // here, the helper is ended by Node's teardown of the workers still running at exit, after
    // the main thread's last JavaScript, as any live worker is. It is unref()ed: it keeps nothing alive.
    Atomics.wait(data.control, 1, 1);
  };
  const ask = (): void => {
    if (!session || stopping) return;
    inFlight++;
    session.post('Runtime.evaluate', { expression: data.expression }, () => {
      inFlight--;
      if (stopping && inFlight <= 0) finish();
    });
  };
  const stop = (): void => {
    clearInterval(timer);
    stopping = true;
    // The main thread waits in Atomics.wait: its ask is answered inside that wait (it cuts nothing there).
    if (inFlight <= 0) finish();
  };
  const timer = setInterval(() => {
    if (session) {
      // Every other tick: one ask a chunk length.
      if (++tick % 2 === 0) ask();
      return;
    }
    const age = (Date.now() - data.epoch) - Atomics.load(data.control, 2);
    if (age < data.overdueMs) return;
    // Watching → connected, unless the main thread is exiting.
    if (Atomics.compareExchange(data.control, 0, 1, 3) !== 1) {
      clearInterval(timer);
      return;
    }
    session = new Session();
    session.connectToMainThread();
    // Resolves when control[0] leaves CONNECTED (3): the main thread is exiting.
    const exiting = (Atomics as unknown as { waitAsync: (a: Int32Array, i: number, v: number) => { async: boolean; value: Promise<string> | string } })
      .waitAsync(data.control, 0, 3);
    if (exiting.async) void (exiting.value as Promise<string>).then(stop);
    else stop();
    ask();
  }, data.nudgeMs / 2);
}
