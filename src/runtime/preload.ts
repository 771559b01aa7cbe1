// Loaded on every thread of a profiled process through NODE_OPTIONS=--require (the runner sets
// it; Node passes it to every worker). With PARPROF_SPOOL set it installs the Recorder, starts the
// thread's CPU profile, instruments worker creation and message handling, and makes TypeScript
// and the bare specifier 'parallel-profiler' work. A guest in the user's program: idempotent,
// never throws, one '[parprof]' line on stderr when something fails.
import { register } from 'node:module';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as wt from 'node:worker_threads';
import { CHILD_SPOOL_INFO, CHILD_SPOOL_PREFIX, ENV, POOL_WORKER_MARK, RECORDER_KEY } from './contract';
import { instrumentMessageHandling, instrumentWorkerCreation } from './instrument-workers';
import { instrumentChildProcesses } from './instrument-children';
import { instrumentChildMessages } from './instrument-child-messages';
import { SpoolRecorder, warn } from './recorder';
import { recordAtomicsWaits } from './recorder-waits';
import { DEFAULT_CHUNK_MS, ThreadProfiler } from './recorder-profile';
import { askWorkers, mainChunkCut, startProfileNudger } from './profile-nudger';
import { ensureControl, startNudging, workerEnding } from './nudge-targets';
import { markIsolateLog, tickProfilerOn } from './tick-marker';
import { LONG_TASK_MS, listenForSaveRequests, savedAtExit } from './terminate-save';
import { installCjsTypeScript } from './recorder-typescript';

const SIGNALS: Record<string, number> = { SIGTERM: 15, SIGINT: 2, SIGHUP: 1 };

function install(spool: string): void {
  const g = globalThis as Record<symbol, unknown>;
  if (g[RECORDER_KEY]) return;
  // Node's loader-hooks thread also runs --require; it is Node's, not the user's (it is the
  // only non-main thread whose workerData is already set, to null, at this point).
  // Workers it starts (esbuild's, for TypeScript) inherit this copy of the environment and stay
  // unrecorded too.
  if (process.env[ENV.internal] === '1') return;
  if (!wt.isMainThread && wt.workerData === null) {
    process.env[ENV.internal] = '1';
    return;
  }

  const exitListenersBefore = process.listenerCount('exit');
  const origin = Number(process.env[ENV.origin] ?? 0);
  const sampleUs = Number(process.env[ENV.sampleInterval] ?? 1000);
  const rec = new SpoolRecorder(spool, wt.threadId, Number.isFinite(origin) ? origin : 0);
  Object.defineProperty(globalThis, RECORDER_KEY, { value: rec, enumerable: false, configurable: false, writable: false });
  rec.event({
    e: 'start', t: rec.now(), tid: wt.threadId, main: wt.isMainThread, pid: process.pid, sampleUs,
    ...(wt.isMainThread ? { nodeVersion: process.version, execPath: process.execPath } : {}),
  });

  // The words every thread reads to know which workers may be posted into, before any worker exists.
  if (wt.isMainThread) ensureControl();
  const profiler = new ThreadProfiler();
  if (sampleUs > 0) {
    // '0x' mode: V8's tick profiler already samples every thread; a second sampler would double the cost.
    if (process.env[ENV.profiler] === '0x' && tickProfilerOn()) markIsolateLog(rec);
    else {
      const chunkMs = Number(process.env[ENV.profileChunkMs] ?? DEFAULT_CHUNK_MS);
      profiler.start(sampleUs, spool, wt.threadId, Number.isFinite(chunkMs) && chunkMs > 0 ? chunkMs : 0);
      // A CPU reading at every cut: the model spreads a thread's CPU time evenly over what it
      // sampled between two readings, and code that never yields got readings only at its ends
      // (a main thread's 200 ms loop after 360 ms of loading modules, one reading 1.6 s from the
      // next, read 152 ms of its own code: the loading took its wall-time share of the loop's CPU).
      profiler.onCut = () => rec.readCpuAtBoundary();
      if (wt.isMainThread && chunkMs > 0) {
        // At exit, main's samples go to disk first, before the nudger's exit handshake and the
        // workers' saves: whatever happens to the process after that (a crash in Node's teardown)
        // takes at most the last listeners' milliseconds from main's profile.
        process.on('exit', () => profiler.cutIfOlder(0));
        // Before worker creation is instrumented: the nudger's thread is the recorder's, not the user's.
        startProfileNudger(chunkMs);
        profiler.onCut = () => { rec.readCpuAtBoundary(); mainChunkCut(); };
        profiler.onAsked = askWorkers;
      }
    }
  }

  // The ThreadPool's worker entry sits next to this file in dist/runtime.
  const poolWorkerFile = join(__dirname, 'worker.js');
  instrumentWorkerCreation(rec, poolWorkerFile, __dirname);
  // The main thread may ask this worker (to cut its profile chunk, to save) from now on, until its exit begins (finish below).
  if (!wt.isMainThread) startNudging(wt.threadId);
  const poolWorker = (wt.workerData as Record<string, unknown> | null)?.[POOL_WORKER_MARK] === true;
  if (!wt.isMainThread && !poolWorker) instrumentMessageHandling(rec, poolWorkerFile);
  installCjsTypeScript(spool, wt.threadId);
  // Hooks registered on the main thread do not reach workers (Node 20), and a worker that loads
  // an ES module importing 'parallel-profiler' (a script that is its own task module) needs them
  // too: the main thread passes the decision down through the environment workers inherit.
  if (wt.isMainThread ? needsEsmHooks(process.argv[1]) : process.env[ESM_HOOKS_ENV] === '1') {
    registerEsmHooks(spool);
    if (wt.isMainThread) process.env[ESM_HOOKS_ENV] = '1';
  }

  recordAtomicsWaits(rec);
  if (wt.isMainThread) instrumentChildProcesses(rec);
  if (wt.isMainThread && process.env[ENV.rootPid] !== String(process.pid)) instrumentChildMessages(rec);

  /** In the thread's 'exit' listener: a save request that interrupts it has nothing to add. */
  let finishing = false;
  const finish = (code: number): void => {
    finishing = true;
    // A worker ending by itself: the profile nudger sends nothing more into a thread that tears down.
    if (!wt.isMainThread) workerEnding(wt.threadId);
    try {
      // CPU time before the profile is serialized: that work is the recorder's, not the thread's.
      rec.sampleCpu();
      profiler.stopAndWrite();
      if (profiler.droppedSamples > 0) rec.event({ e: 'dropped', spans: 0, samples: profiler.droppedSamples });
      rec.close({ e: 'end', t: rec.now(), code });
    } catch (err) {
      warn('cannot finish recording', err);
    }
    if (!wt.isMainThread) savedAtExit();
  };
  process.on('exit', finish);
  if (!wt.isMainThread) {
    // Terminated from outside: no 'exit' listener runs, so save when the creator asks first.
    // No 'end' event: the thread did not end by itself, and the report says it was terminated.
    rec.atSafePoints(listenForSaveRequests(spool, wt.threadId, () => {
      // Asked inside the exit listener or inside a cut: that work saves, or the creator asks again.
      if (finishing || profiler.busy) return false;
      // A task still running is cut off here, where its thread's samples end; it stays open on
      // the task board, for its creator to cut later if the thread runs on in it until it is ended.
      rec.cutOpenTask(rec.now(), true);
      profiler.stopAndWrite();
      if (profiler.droppedSamples > 0) rec.event({ e: 'dropped', spans: 0, samples: profiler.droppedSamples });
      rec.flush();
      // From here each span is written as it ends, and the thread holds still after it.
      rec.flushEachSpan();
      return true;
    }, () => profiler.cutBeforeBlocking(), () => rec.busyUsSinceFlush() >= LONG_TASK_MS * 1000));
  }
  process.on('uncaughtExceptionMonitor', (err: unknown) => {
    try {
      const e = err instanceof Error ? err : new Error(String(err));
      rec.event({ e: 'uncaught', t: rec.now(), message: e.message, stack: e.stack });
      rec.flush();
    } catch (x) {
      warn('cannot record an uncaught exception', x);
    }
  });
  const exit = process.exit;
  process.exit = function (code?: number | string | null): never {
    try {
      rec.event({ e: 'processExit', t: rec.now(), code: Number(code ?? process.exitCode ?? 0) });
    } catch { /* recording must not stand between the user and exit */ }
    // The arguments as given: Node's exit() sets process.exitCode whenever an argument is passed,
    // even undefined, and would then exit 0 where the user's process.exitCode, or the 1 Node sets
    // before it calls exit() in a worker that threw, says otherwise.
    // eslint-disable-next-line prefer-rest-params
    return exit.apply(process, arguments as unknown as [number]);
  } as typeof process.exit;

  if (wt.isMainThread) {
    // A run cancelled by the runner gets SIGTERM. Without a listener of the user's, Node would die
    // without 'exit' and lose the main thread's profile; with one, the user decides as before.
    // The script's process exits 128 + the signal's number (the runner's contract). A child process
    // must end as it would without us, killed by the signal, which its parent (the user's code) sees:
    // only the 'exit' listeners install() added (the recorder's own) run first, to save.
    const root = process.env[ENV.rootPid] === String(process.pid);
    for (const [signal, number] of Object.entries(SIGNALS)) {
      process.once(signal as NodeJS.Signals, () => {
        if (process.listenerCount(signal) !== 0) return;
        if (root) {
          // The signal is what ended the script, not a process.exit() of its own (the wrapper's record).
          try { rec.event({ e: 'signal', t: rec.now(), signal }); } catch { /* recording must not stand between the signal and exit */ }
          exit.call(process, 128 + number);
        }
        for (const listener of ownExitListeners) {
          try { listener.call(process, 128 + number); } catch (err) { warn('cannot save before a signal', err); }
        }
        // No listener is left: Node has given the signal its default action back, which ends the process.
        process.kill(process.pid, signal);
      });
    }
  }
  rec.startTimer();
  // A CPU reading where the script starts: the recorder's start-up is not blended into its first code.
  rec.sampleCpu();
  rec.event({ e: 'installed', t: rec.now() });
  ownExitListeners = process.listeners('exit').slice(exitListenersBefore);
}

/** The 'exit' listeners install() added (the recorder's, the worker saver's, the nudger's): what saves a thread's recording. */
let ownExitListeners: ((code: number) => void)[] = [];

/**
 * Whether the script is (or may be) an ES module. Registering the hooks starts Node's hooks
 * thread and blocks the main thread ~50 ms, so CommonJS scripts go without.
 */
function mayUseEsm(script: string | undefined): boolean {
  if (!script) return false;
  if (/\.(mjs|mts|ts)$/.test(script)) return true;
  if (/\.(cjs|cts)$/.test(script)) return false;
  let dir = dirname(resolve(script));
  for (;;) {
    try {
      return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { type?: string }).type === 'module';
    } catch { /* no (readable) package.json here: keep looking */ }
    const up = dirname(dir);
    if (up === dir) return false;
    dir = up;
  }
}

/**
 * The hooks cost the main thread a hooks thread's start-up and a round trip per module (a plain
 * .mjs spent ~150-400 ms in waitForWorker on a loaded machine). They are needed to transpile
 * TypeScript and to resolve 'parallel-profiler' for a script that cannot find it on its own; an
 * ES module that can (installed, or this package itself) runs without them.
 */
function needsEsmHooks(script: string | undefined): boolean {
  if (!script || !mayUseEsm(script)) return false;
  if (/\.(mts|ts)$/.test(script)) return true;
  return !esmFindsPackage(dirname(resolve(script)));
}

/**
 * Whether an ES module in `dir` finds 'parallel-profiler' without help: in a node_modules folder
 * up the tree, or as the package it belongs to (a self-reference). ESM ignores NODE_PATH, which
 * the runner may set, so require.resolve would answer for the wrong resolver.
 */
function esmFindsPackage(dir: string): boolean {
  let scopeSeen = false;
  for (;;) {
    if (existsSync(join(dir, 'node_modules', 'parallel-profiler', 'package.json'))) return true;
    if (!scopeSeen && existsSync(join(dir, 'package.json'))) {
      scopeSeen = true; // only the nearest package.json is the module's own package
      try {
        const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; exports?: unknown };
        if (pkg.name === 'parallel-profiler' && pkg.exports !== undefined) return true;
      } catch { /* unreadable: not a self-reference */ }
    }
    const up = dirname(dir);
    if (up === dir) return false;
    dir = up;
  }
}

const ESM_HOOKS_ENV = ENV.esmHooks;

function registerEsmHooks(spool: string): void {
  if (typeof register !== 'function') return; // Node < 20.6: CommonJS only
  try {
    const runtimeUrl = pathToFileURL(join(__dirname, 'index.js')).href;
    register(pathToFileURL(join(__dirname, 'esm-hooks.js')).href, { data: { runtimeUrl, spool } });
  } catch (err) {
    warn('cannot register the ESM loader hooks', err);
  }
}

/**
 * The spool folder of this process. A script's child processes (fork, spawn of node, cluster)
 * inherit PARPROF_SPOOL and NODE_OPTIONS, and their thread ids restart at 0: written into the
 * same folder they would overwrite the parent's threads. The first process to load the preload
 * names itself the root in the environment its threads and children inherit; any other process
 * records into a `proc-<pid>` folder of its own, with a note of who it is, so the runner can
 * keep it apart and name it.
 */
function processSpool(spool: string): string {
  const root = process.env[ENV.rootPid];
  if (root === undefined) {
    if (wt.isMainThread) process.env[ENV.rootPid] = String(process.pid);
    return spool;
  }
  if (Number(root) === process.pid) return spool;
  const dir = join(spool, `${CHILD_SPOOL_PREFIX}${process.pid}`);
  mkdirSync(dir, { recursive: true });
  if (wt.isMainThread) {
    writeFileSync(join(dir, CHILD_SPOOL_INFO), JSON.stringify({ pid: process.pid, ppid: process.ppid, argv: process.argv.slice(1), ...startedBy() }));
  }
  return dir;
}

/**
 * How this child process was started, as far as it can tell: a cluster worker (with its id), a
 * process with an IPC channel (fork, or spawn with an 'ipc' stdio), or a plain spawn.
 */
function startedBy(): { startedBy: 'cluster' | 'fork' | 'spawn'; clusterId?: number } {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const cluster = require('node:cluster') as { isWorker?: boolean; worker?: { id: number } };
    if (cluster.isWorker) return { startedBy: 'cluster', ...(cluster.worker ? { clusterId: cluster.worker.id } : {}) };
  } catch { /* no cluster module: not a cluster worker */ }
  return { startedBy: typeof process.send === 'function' ? 'fork' : 'spawn' };
}

try {
  const spool = process.env[ENV.spool];
  if (spool && process.env[ENV.internal] !== '1') install(processSpool(spool));
} catch (err) {
  warn('recording is off', err);
}
