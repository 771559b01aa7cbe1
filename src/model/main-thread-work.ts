// What the script's main thread did with its time, from its samples: the user's own code, the
// runtime's (the recorder, the pool runtime or an instrumented pool library, waiting for the ESM
// loader hooks the preload registered), or nothing ('(idle)': an event loop waiting for a child, for I/O, for workers to
// start). The serial phase and the serial finding count the user's code only, weighed by the
// thread's CPU time where the report has CPU readings for it (cpu-time.ts) and by wall time
// otherwise (`source` says which). Pure; one pass over the main thread's profile.
import { cpuSampleWeights, cpuSeriesOf } from './cpu-time';
import { indexProfile, isIdleFrame, type ProfileIndex } from './profile-index';
import type { Report } from './report';
import { isRuntimeFile } from './transforms';

/**
 * A sample of the main thread: the user's code; the runtime's (the profiler's, the pool runtime's,
 * an instrumented pool library's); waiting; only Node's/V8's own frames; or Node's module loader
 * called by the user's code (a `require` resolving and reading a package: start-up work no thread
 * count changes, so not serial code; a required module's own top-level code is the user's again).
 */
export const SAMPLE_USER = 0, SAMPLE_RUNTIME = 1, SAMPLE_IDLE = 2, SAMPLE_ENGINE = 3, SAMPLE_LOADING = 4;
const KINDS = 5;

/**
 * Node's module system (CommonJS `require`, the ES module loader): its frames under the user's code
 * are loading, and so are those Node calls itself (the main module's load; an ES module's static
 * imports are linked before its first line runs: 600 of them read 331 ms of serial code).
 */
function moduleLoaderFrame(url: string): boolean {
  return url.startsWith('node:internal/modules/');
}

export interface MainThreadWork {
  thread: number;
  /** 'cpu': weights are the thread's on-CPU time (its CPU readings); 'wall': sample wall time. */
  source: 'cpu' | 'wall';
  /** Each sample's start and end, µs from origin, in time order. */
  starts: Float64Array;
  ends: Float64Array;
  /** SAMPLE_USER, SAMPLE_RUNTIME, SAMPLE_IDLE, SAMPLE_ENGINE or SAMPLE_LOADING per sample. */
  kind: Uint8Array;
  /** 1 for a runtime sample on top of the user's frames (the recorder's interrupt inside a loop, a pool call), and a GC at the root right after one. */
  inUser: Uint8Array;
  /** cum[k][i]: Σ weight (µs, CPU or wall per `source`) of samples before i of kind k. */
  cum: Float64Array[];
}

/** 1: a profiler frame (the runtime's, or waiting for the ESM hooks); 0: the user's; undefined: Node's own or native (inherits). */
export function profilerFrame(frame: { functionName: string; url: string }): 0 | 1 | undefined {
  if (frame.functionName === 'waitForWorker' && frame.url.startsWith(ESM_HOOKS_URL)) return 1;
  if (frame.url === '' || frame.url.startsWith('node:') || !/[\\/]/.test(frame.url)) return undefined;
  return isRuntimeFile(frame.url) ? 1 : 0;
}
const ESM_HOOKS_URL = 'node:internal/modules/esm/hooks';

/** The script's main thread: id 0, else the first main thread. */
export function scriptMainThread(report: Report): number | undefined {
  const mains = report.threads.filter((t) => t.kind === 'main');
  return (mains.find((t) => t.id === 0) ?? mains[0])?.id;
}

export function mainThreadWork(report: Report): MainThreadWork | undefined {
  const thread = scriptMainThread(report);
  if (thread === undefined) return undefined;
  const tp = report.profiles.find((p) => p.thread === thread);
  if (!tp) return undefined;
  const ix = indexProfile(tp.profile);
  // Per node: the innermost frame that is not Node's own decides (the runtime calling back into
  // the user's code is the user's); a stack of Node's and V8's frames alone is the engine's.
  // An instrumented pool library's own code (piscina creating its workers, posting tasks) is the
  // pool's, as the runtime's is: Region.fn of an external region names the library.
  const libs = [...new Set(report.regions.filter((r) => r.kind === 'external').map((r) => `/node_modules/${r.fn}/`))];
  const nodeKind = new Uint8Array(ix.nodes.length), userBelow = new Uint8Array(ix.nodes.length);
  for (let k = 0; k < ix.order.length; k++) {
    const n = ix.order[k], up = ix.parent[n], frame = ix.nodes[n].callFrame;
    userBelow[n] = up >= 0 && (nodeKind[up] === SAMPLE_USER || userBelow[up]) ? 1 : 0;
    if (isIdleFrame(frame)) { nodeKind[n] = SAMPLE_IDLE; continue; }
    const own = libs.length > 0 && libs.some((lib) => frame.url.replace(/\\/g, '/').includes(lib)) ? 1 : profilerFrame(frame);
    nodeKind[n] = own === 1 ? SAMPLE_RUNTIME : own === 0 ? SAMPLE_USER
      : moduleLoaderFrame(frame.url) && (up < 0 || nodeKind[up] === SAMPLE_USER || nodeKind[up] === SAMPLE_ENGINE) ? SAMPLE_LOADING
        : up >= 0 ? nodeKind[up] : SAMPLE_ENGINE;
  }
  const m = ix.sampleNode.length;
  const { starts, ends } = sampleSpans(ix, report.meta.sampleIntervalUs, (i) => ix.sampleNode[i] >= 0 && nodeKind[ix.sampleNode[i]] === SAMPLE_IDLE, runtimeMoments(report));
  const spans: ProfileIndex = { ...ix, times: starts, weights: ends.map((b, i) => b - starts[i]) };
  const series = cpuSeriesOf(report, thread);
  const cpuKnown = series !== undefined && series.t.length >= 2;
  const weights = cpuKnown ? cpuSampleWeights(spans, series!) : spans.weights;
  if (cpuKnown) {
    // Outside the readings (before the first; after the last, as in code that never yields or
    // an exit under load) a sample's CPU time is not known: it weighs its wall time, a bound.
    const first = series!.t[0], last = series!.t[series!.t.length - 1];
    for (let i = 0; i < m; i++) {
      const a = starts[i], b = ends[i];
      weights[i] += Math.max(0, Math.min(b, first) - a) + Math.max(0, b - Math.max(a, last));
    }
  }
  const kind = new Uint8Array(m), inUser = new Uint8Array(m);
  const cum = Array.from({ length: KINDS }, () => new Float64Array(m + 1));
  // V8 puts a GC (and '(program)') at the root, apart from the code that caused it: such a sample
  // takes the kind of the sample before it when that was the loader's or the runtime's, so the
  // collections a burst of `require`s or the recorder's own work set off are not counted as the
  // user's code (after the user's code or waiting they stay Node's own, counted as before).
  const rootEngine = new Uint8Array(ix.nodes.length);
  for (let n = 0; n < ix.nodes.length; n++) {
    const name = ix.nodes[n].callFrame.functionName;
    rootEngine[n] = nodeKind[n] === SAMPLE_ENGINE && (name === '(garbage collector)' || name === '(program)') ? 1 : 0;
  }
  // Such a sample is inside the user's code when the one it follows was (a chunk cut the recorder
  // made in the user's loop sets off a GC: that broke the loop's stretch of serial code in two).
  let previous: number = SAMPLE_ENGINE, previousInUser = 0;
  for (let i = 0; i < m; i++) {
    const n = ix.sampleNode[i];
    let k = n >= 0 ? nodeKind[n] : SAMPLE_ENGINE;
    const inherits = n >= 0 && rootEngine[n] === 1 && (previous === SAMPLE_LOADING || previous === SAMPLE_RUNTIME);
    if (inherits) k = previous;
    kind[i] = k;
    inUser[i] = inherits ? previousInUser : n >= 0 && k === SAMPLE_RUNTIME && userBelow[n] ? 1 : 0;
    previous = k;
    previousInUser = inUser[i];
    for (let q = 0; q < KINDS; q++) cum[q][i + 1] = cum[q][i] + (q === k ? weights[i] : 0);
  }
  return { thread, source: cpuKnown ? 'cpu' : 'wall', starts, ends, kind, inUser, cum };
}

/** A gap between two samples longer than this many sampling intervals is split between them. */
const GAP_SPLIT_INTERVALS = 2;

/**
 * Each sample's span, µs. A sample is what the thread ran at its instant; V8 weighs it until the
 * next one. When the sampler falls behind (a loaded machine starves its thread: gaps of 200–300 ms
 * were seen), that gives the whole gap to whatever ran at its start, often a moment of the
 * loader's or the engine's (a `require` resolving, a GC) before the user's long loop, whose CPU
 * time then read as theirs (a planted 100 ms serial loop read 71–78 ms). So a gap longer than
 * GAP_SPLIT_INTERVALS intervals between two samples of running code is split at its midpoint, each
 * half going to the nearer sample: no tick saw when the one stopped and the other began. (Flame
 * trees put such an excess under the frame both samples share, unsampled.ts: a frame that surely
 * was on the stack; a kind needs a time, and the script's top level, shared by a `require` and the
 * loop after it, would say the loop began at once.) A gap that starts or ends in waiting ('(idle)')
 * stays the sample's before it, as V8 has it.
 */
function sampleSpans(ix: ProfileIndex, intervalUs: number, idle: (sample: number) => boolean, moments: Float64Array): { starts: Float64Array; ends: Float64Array } {
  const m = ix.times.length;
  const starts = Float64Array.from(ix.times), ends = new Float64Array(m);
  for (let i = 0; i < m; i++) ends[i] = ix.times[i] + ix.weights[i];
  const long = GAP_SPLIT_INTERVALS * (intervalUs > 0 ? intervalUs : 1000);
  let e = 0;
  for (let i = 0; i + 1 < m; i++) {
    const a = ix.times[i], b = ix.times[i + 1];
    if (!(b - a > long) || idle(i) || idle(i + 1)) continue;
    // Not before a moment the recorder saw the thread in the runtime's code inside the gap (a
    // worker created by new ThreadPool): the later sample's code ran after it.
    while (e < moments.length && moments[e] < b) e++;
    const seen = e > 0 && moments[e - 1] > a ? moments[e - 1] : -Infinity;
    const cut = Math.max((a + b) / 2, seen);
    ends[i] = Math.min(ends[i], cut);
    starts[i + 1] = cut;
  }
  return { starts, ends };
}

/**
 * Moments the recorder saw the script's main thread in the runtime's code, µs, ascending: a worker
 * of its process created (`new Worker`, a pool's start-up; the report does not say which thread
 * created it, and a pool inside a worker is rare: its moments would only keep a split later) and a
 * child process it spawned.
 */
function runtimeMoments(report: Report): Float64Array {
  const mainPid = (report.processes ?? []).find((x) => x.startedBy === 'main')?.pid;
  const processOf = new Map(report.threads.map((t) => [t.id, t.process]));
  const out: number[] = [];
  for (const w of report.startup?.workers ?? []) if (mainPid === undefined || processOf.get(w.thread) === undefined || processOf.get(w.thread) === mainPid) out.push(w.created);
  for (const x of report.processes ?? []) if (x.startedBy !== 'main' && x.spawned !== undefined && (mainPid === undefined || x.ppid === mainPid)) out.push(x.spawned);
  return Float64Array.from(out).sort();
}

/** First index whose start is ≥ t. */
function firstAtOrAfter(times: Float64Array, t: number): number {
  let lo = 0, hi = times.length;
  while (lo < hi) { const mid = (lo + hi) >> 1; if (times[mid] < t) lo = mid + 1; else hi = mid; }
  return lo;
}

/** µs of samples of `kind` starting in [from, to) (CPU or wall per w.source). */
export function workWithin(w: MainThreadWork, kind: number, from: number, to: number): number {
  const c = w.cum[kind];
  return c[firstAtOrAfter(w.starts, to)] - c[firstAtOrAfter(w.starts, from)];
}

/**
 * The main thread's own code in [from, to), µs: with CPU readings, the on-CPU time of its samples
 * that are neither waiting, the profiler's nor module loading; without them, the window's wall time
 * less those samples' (time no sample covers counts as code). No profile: the whole window.
 */
export function codeWithin(w: MainThreadWork | undefined, from: number, to: number): number {
  if (!w) return Math.max(0, to - from);
  if (w.source === 'cpu') return workWithin(w, SAMPLE_USER, from, to) + workWithin(w, SAMPLE_ENGINE, from, to);
  return Math.max(0, to - from - workWithin(w, SAMPLE_RUNTIME, from, to) - workWithin(w, SAMPLE_IDLE, from, to) - workWithin(w, SAMPLE_LOADING, from, to));
}

/**
 * The stretches of [from, to) in which the main thread ran the user's code: runs of user samples
 * (each covering its start to the next sample), clipped to the window, µs. Samples of Node's and
 * V8's own frames alone (a GC, '(program)') and the runtime called from the user's code (the
 * recorder's interrupt inside a loop, a pool call) do not break a run; waiting or the runtime on
 * its own (the event loop running it) does.
 */
export function userStretches(w: MainThreadWork, from: number, to: number): [number, number][] {
  const out: [number, number][] = [];
  let broken = true;
  // From the sample running at `from`, if any (it started before).
  for (let i = Math.max(0, firstAtOrAfter(w.starts, from) - 1); i < w.starts.length && w.starts[i] < to; i++) {
    const k = w.kind[i];
    if (k === SAMPLE_ENGINE || w.inUser[i]) continue;
    if (k !== SAMPLE_USER) { broken = true; continue; }
    const a = Math.max(from, w.starts[i]), b = Math.min(to, w.ends[i]);
    if (!(b > a)) continue;
    const last = out[out.length - 1];
    if (last && !broken) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
    broken = false;
  }
  return out;
}
