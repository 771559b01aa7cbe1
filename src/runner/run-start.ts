// The start of a recording: checks the options, prepares the spool, spawns the script under the
// preload and follows it until it ends (its process group stopped, its output passed on). Apart
// from run.ts, which turns the spool into a report, so `parprof record`'s launcher (src/cli/launch.ts)
// can start the script before it loads the report code: this file and what it imports are small.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { basename, delimiter, join, resolve } from 'node:path';
import { SCHEDULES, type Schedule } from '../model/report';
import { ENV, PROFILERS, TICK_LOG_DIR, type ProfilerName } from '../runtime/contract';
import { resolveZeroX, tickProfilerArgs } from './tick-logs';
import { packageRoot, preloadPath } from './paths';
import { checkOutputPath } from './output';
import { endGroupWhenRunnerDies, groupAlive } from './process-group';

export interface RunOptions {
  script: string;
  args?: string[];
  cwd?: string;
  /** Default thread count of pools created without one. */
  threads?: number;
  /** Default schedule of pools created without one. */
  schedule?: Schedule;
  /** CPU sampling interval, µs; default 1000, 0 = off. */
  sampleIntervalUs?: number;
  /** CPU profiler: 'inspector' (default) or '0x' (V8's tick profiler on every thread; needs the 0x package). */
  profiler?: ProfilerName;
  /** Node executable; default 'node' on PATH (never the editor's own runtime). */
  node?: string;
  nodeArgs?: string[];
  env?: Record<string, string>;
  /** Report path; default <cwd>/.parprof/<script basename>-<YYYYMMDD-HHMMSS>.parprof; '.gz' compresses. */
  out?: string;
  /** Sets PARPROF_WORKLOAD for the script. */
  workload?: string;
  /** Cancels the run: the process tree gets SIGTERM, SIGKILL 2 s later; the partial report is kept, marked cancelled. */
  signal?: AbortSignal;
  /** Output of the script; default: passed through to our stdout/stderr. */
  onOutput?: (text: string, stream: 'stdout' | 'stderr') => void;
}

const KILL_GRACE_MS = 2000;

/** Checks options; throws an Error naming the bad input. Returns the absolute script and cwd. */
export function validateRunOptions(o: RunOptions): { script: string; cwd: string } {
  const cwd = resolve(o.cwd ?? process.cwd());
  if (!existsSync(cwd) || !statSync(cwd).isDirectory()) throw new Error(`cwd is not a directory: ${o.cwd}`);
  if (typeof o.script !== 'string' || o.script === '') throw new Error('script is required');
  const script = resolve(cwd, o.script);
  if (!existsSync(script)) throw new Error(`script not found: ${o.script}`);
  if (!statSync(script).isFile()) throw new Error(`${o.script} is a folder, not a script: give the .js, .mjs or .ts file to run`);
  if (o.threads !== undefined && !(Number.isInteger(o.threads) && o.threads >= 0)) {
    throw new Error(`threads must be a non-negative integer (0 = sequential), got ${o.threads}`);
  }
  if (o.schedule !== undefined && !(SCHEDULES as readonly string[]).includes(o.schedule)) {
    throw new Error(`schedule must be one of ${SCHEDULES.join(', ')}, got ${o.schedule}`);
  }
  if (o.sampleIntervalUs !== undefined && !(Number.isInteger(o.sampleIntervalUs) && o.sampleIntervalUs >= 0)) {
    throw new Error(`sample interval must be a non-negative integer of microseconds, got ${o.sampleIntervalUs}`);
  }
  if (o.profiler !== undefined && !(PROFILERS as readonly string[]).includes(o.profiler)) {
    throw new Error(`profiler must be one of ${PROFILERS.join(', ')}, got ${String(o.profiler)}`);
  }
  if (o.profiler === '0x') {
    if (o.sampleIntervalUs === 0) throw new Error('--profiler 0x samples CPU: it needs a sample interval above 0');
    resolveZeroX(cwd, script, { ...process.env, ...o.env }.NODE_PATH);
  }
  // Before the script starts: a recording must not be lost to an unwritable --out.
  if (o.out !== undefined) checkOutputPath(resolve(cwd, o.out));
  return { script, cwd };
}

function stamp(d: Date): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

/** µs on the monotonic clock every thread of the child stamps with. */
function hrtimeUs(): number {
  return Number(process.hrtime.bigint()) / 1000;
}

function quoteOption(path: string): string {
  return /[\s"]/.test(path) ? `"${path.replace(/(["\\])/g, '\\$1')}"` : path;
}

/** A script that was started: what finishRun (run.ts) needs to wait for it and build its report. */
export interface StartedRun {
  options: RunOptions;
  script: string;
  args: string[];
  cwd: string;
  /** The report's path, checked. */
  out: string;
  spool: string;
  /** Epoch ms when the run started, and µs on the hrtime clock the child's threads stamp from. */
  startedAt: number;
  originUs: number;
  sampleIntervalUs: number;
  cores: number;
  /** Set under --profiler 0x: where 0x is. */
  zeroxDir?: string;
  /** Settles when the script and its process group have ended; rejects when it could not run. */
  ended: Promise<Ended>;
  /** Removes the spool and the modules folder (after the report is built). */
  cleanUp(): void;
}

/**
 * Checks the options, prepares the spool and spawns the script. Throws (an Error naming the bad
 * input) before anything is spawned; what it made is removed when it throws later.
 */
export function startRun(options: RunOptions): StartedRun {
  const { script, cwd } = validateRunOptions(options);
  const args = options.args ?? [];
  const sampleIntervalUs = options.sampleIntervalUs ?? 1000;
  const cores = availableParallelism();
  const startedAt = Date.now();
  const out = resolve(cwd, options.out ?? join('.parprof', `${basename(script)}-${stamp(new Date(startedAt))}.parprof`));
  if (options.out === undefined) checkOutputPath(out);
  const root = packageRoot();
  const made: string[] = [];
  const cleanUp = (): void => {
    for (const dir of made) rmSync(dir, { recursive: true, force: true });
  };
  try {
    const spool = mkdtempSync(join(tmpdir(), 'parprof-spool-'));
    made.push(spool);
    // NODE_PATH dir where require('parallel-profiler') finds this package from any script folder.
    const modules = mkdtempSync(join(tmpdir(), 'parprof-modules-'));
    made.push(modules);
    symlinkSync(root, join(modules, 'parallel-profiler'), 'dir');
    const userEnv = { ...process.env, ...options.env };
    const env: NodeJS.ProcessEnv = {
      ...userEnv,
      NODE_OPTIONS: [userEnv.NODE_OPTIONS, `--require ${quoteOption(preloadPath())}`].filter(Boolean).join(' '),
      NODE_PATH: [modules, userEnv.NODE_PATH].filter(Boolean).join(delimiter),
      [ENV.spool]: spool,
      [ENV.sampleInterval]: String(sampleIntervalUs),
    };
    if (options.threads !== undefined) env[ENV.threads] = String(options.threads);
    if (options.schedule !== undefined) env[ENV.schedule] = options.schedule;
    if (options.workload !== undefined) env[ENV.workload] = options.workload;
    const originUs = hrtimeUs();
    env[ENV.origin] = String(originUs);
    const zeroxDir = options.profiler === '0x' ? resolveZeroX(cwd, script, userEnv.NODE_PATH) : undefined;
    if (zeroxDir) {
      env[ENV.profiler] = '0x';
      mkdirSync(join(spool, TICK_LOG_DIR));
    }
    const tickArgs = zeroxDir ? tickProfilerArgs(spool, sampleIntervalUs) : [];
    const ended = spawnAndWait(options.node ?? 'node', [...tickArgs, ...(options.nodeArgs ?? []), script, ...args], cwd, env, options);
    // Whoever finishes the run awaits `ended` and sees its error; until then (the launcher is
    // loading the report code) a rejection must not count as unhandled.
    ended.catch(() => undefined);
    return { options, script, args, cwd, out, spool, startedAt, originUs, sampleIntervalUs, cores, ...(zeroxDir ? { zeroxDir } : {}), ended, cleanUp };
  } catch (err) {
    cleanUp();
    throw err;
  }
}

export interface Ended { code: number | null; signal: string | null; atUs: number; cancelled: boolean; spawnedUs: number; pid?: number }

/**
 * Stops what is left of the script's process group once its main process has exited: SIGTERM,
 * then SIGKILL after KILL_GRACE_MS; resolves when the group is gone, or a second after the
 * SIGKILL (a zombie nobody reaps cannot hold us). Polls every 25 ms: a group is a few processes.
 */
async function endGroup(pgid: number): Promise<void> {
  if (!groupAlive(pgid)) return;
  try { process.kill(-pgid, 'SIGTERM'); } catch { /* gone meanwhile */ }
  const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
  for (let waited = 0; waited < KILL_GRACE_MS; waited += 25) {
    await pause(25);
    if (!groupAlive(pgid)) return;
  }
  try { process.kill(-pgid, 'SIGKILL'); } catch { /* gone meanwhile */ }
  for (let waited = 0; waited < 1000 && groupAlive(pgid); waited += 25) await pause(25);
}

function spawnAndWait(node: string, argv: string[], cwd: string, env: NodeJS.ProcessEnv, o: RunOptions): Promise<Ended> {
  return new Promise((resolvePromise, reject) => {
    if (o.signal?.aborted) {
      reject(new Error('run cancelled before it started'));
      return;
    }
    // Own process group, so cancelling reaches every process the script started.
    const spawnedUs = hrtimeUs();
    const child = spawn(node, argv, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    // kill -9 of the runner must not leave the script running.
    const guard = child.pid !== undefined ? endGroupWhenRunnerDies(child.pid, KILL_GRACE_MS) : undefined;
    const output = o.onOutput ?? ((text: string, stream: 'stdout' | 'stderr') => { process[stream].write(text); });
    child.stdout.setEncoding('utf8').on('data', (s: string) => output(s, 'stdout'));
    child.stderr.setEncoding('utf8').on('data', (s: string) => output(s, 'stderr'));
    let cancelled = false;
    let killTimer: ReturnType<typeof setTimeout> | undefined;
    const killGroup = (sig: NodeJS.Signals): void => {
      try { process.kill(-child.pid!, sig); } catch { /* group already gone */ }
    };
    const onAbort = (): void => {
      cancelled = true;
      killGroup('SIGTERM');
      killTimer = setTimeout(() => killGroup('SIGKILL'), KILL_GRACE_MS);
    };
    o.signal?.addEventListener('abort', onAbort, { once: true });
    let exited: Ended | undefined;
    const done = (): void => {
      guard?.stop();
      o.signal?.removeEventListener('abort', onAbort);
      if (killTimer) clearTimeout(killTimer);
      resolvePromise(exited!);
    };
    child.on('error', (err) => {
      guard?.stop();
      o.signal?.removeEventListener('abort', onAbort);
      reject(new Error(`cannot run ${node}: ${err.message}`));
    });
    child.on('exit', (code, signal) => {
      exited = { code, signal, atUs: hrtimeUs(), cancelled, spawnedUs, pid: child.pid };
      // The recording ends with the script. Processes it started and left running (a forked child
      // in an endless loop, a server) are in the script's own process group, out of reach of the
      // terminal's Ctrl-C: they are stopped here like the script would be by a signal (SIGTERM, so
      // their recorders flush, then SIGKILL after the grace), and their pipes close with them.
      // The report already says they were cut off by the end of the run.
      if (killTimer) clearTimeout(killTimer);
      void endGroup(child.pid!).then(() => {
        // A descendant that left the group may still hold the pipes: a moment for the output, then go on.
        const t = setTimeout(done, 1000);
        if (child.stdout.readableEnded && child.stderr.readableEnded) { clearTimeout(t); done(); return; }
        child.on('close', () => { clearTimeout(t); done(); });
      });
    });
  });
}
