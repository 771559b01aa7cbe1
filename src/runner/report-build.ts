// Turns a spool (what every thread wrote) into a Report: dense region and pool ids, thread list
// with names and deaths, columnar spans, profiles rebased to the origin and mapped to sources,
// ELU series, markers, dropped counts, exit status.
import { constants as osConstants } from 'node:os';
import type { CpuProfile, Marker, Region, Report, Schedule, ThreadInfo } from '../model/report';
import { REPORT_FORMAT, REPORT_VERSION } from '../model/report';
import type { SpoolEvent } from '../runtime/recorder-events';
import { inTimeOrder } from '../model/profile-order';
import { applySourceMaps, mapSourcePosition, type RawSourceMap } from '../model/sourcemap';
import type { Spool, ThreadSpool } from './spool';
import { buildV2Fields } from './report-build-v2';
import { lostSamples } from './profile-chunks';
import { RUN_CANCELLED, stoppedByWords } from '../model/run-views';
import { EXTERNAL_REGION, collectSpans } from './report-build-spans';

/** What the runner knows about the run besides the spool. */
export interface RunFacts {
  script: string;
  args: string[];
  cwd: string;
  startedAt: number;
  originUs: number;
  /** Process exit, µs from origin. */
  endUs: number;
  /** When the process was spawned, µs from origin (default 0: the origin is read just before). */
  spawnUs?: number;
  exit: { code: number | null; signal: string | null };
  cancelled: boolean;
  /** The signal that made parprof cancel the run ('SIGINT' for Ctrl-C), when a signal did. */
  cancelledBy?: string;
  pool: { threads: number; schedule: Schedule };
  sampleIntervalUs: number;
  cores: number;
  recorder: string;
  /** Used when the child never wrote its start event (it died before the preload ran). */
  nodeFallback: { version: string; path: string };
  /**
   * Set when building one child process of the script (report-build-processes.ts): `exited` says
   * whether it is known to have ended by itself (else its threads without an end keep none, as
   * after a kill); the run's own markers (exit, killed, cancelled) are left to the script's process.
   */
  child?: { exited: boolean };
}

type Ev<K extends SpoolEvent['e']> = Extract<SpoolEvent, { e: K }>;
function all<K extends SpoolEvent['e']>(t: ThreadSpool, kind: K): Ev<K>[] {
  return t.events.filter((e): e is Ev<K> => e.e === kind);
}
function first<K extends SpoolEvent['e']>(t: ThreadSpool | undefined, kind: K): Ev<K> | undefined {
  return t?.events.find((e): e is Ev<K> => e.e === kind);
}

export function buildReport(spool: Spool, facts: RunFacts): Report {
  // Threads of our own tools (esbuild's worker) are not the user's.
  const internal = new Set<number>();
  for (const t of spool.threads.values()) for (const e of all(t, 'worker')) if (e.lib === 'internal') internal.add(e.tid);
  const threadsSpool = [...spool.threads.values()].filter((t) => first(t, 'start') && !internal.has(t.tid)).sort((a, b) => a.tid - b.tid);
  const killed = facts.child ? !facts.child.exited : facts.exit.signal !== null;
  const markers: Marker[] = [];
  let droppedSpans = 0;
  let droppedSamples = 0;

  // Who created which worker (events written on the creating thread).
  const created = new Map<number, Ev<'worker'>>();
  const exited = new Map<number, Ev<'workerExit'>>();
  const errored = new Map<number, Ev<'workerError'>>();
  const joined = new Map<number, Ev<'joined'>>();
  for (const t of spool.threads.values()) {
    for (const e of t.events) {
      if (e.e === 'worker') created.set(e.tid, e);
      else if (e.e === 'workerExit') exited.set(e.tid, e);
      else if (e.e === 'workerError') errored.set(e.tid, e);
      else if (e.e === 'joined') joined.set(e.tid, e);
      else if (e.e === 'dropped') {
        droppedSpans += e.spans;
        droppedSamples += e.samples ?? 0;
      }
    }
  }

  // Regions and pools, renumbered densely in start order.
  const regionEvents: Ev<'region'>[] = [];
  const regionEnds = new Map<number, Ev<'regionEnd'>>();
  for (const t of spool.threads.values()) {
    regionEvents.push(...all(t, 'region'));
    for (const e of all(t, 'regionEnd')) regionEnds.set(e.key, e);
  }
  regionEvents.sort((a, b) => a.info.start - b.info.start || a.key - b.key);
  const poolIds = new Map<number, number>();
  const poolId = (raw: number): number => {
    let id = poolIds.get(raw);
    if (id === undefined) poolIds.set(raw, (id = poolIds.size));
    return id;
  };
  const regionId = new Map<number, number>();
  const regions: Region[] = regionEvents.map((ev, id) => {
    regionId.set(ev.key, id);
    const end = regionEnds.get(ev.key);
    const { info } = ev;
    const region: Region = {
      id, name: info.name, kind: info.kind, pool: poolId(info.pool), fn: info.fn, schedule: info.schedule,
      threads: info.threads, items: info.items, chunkSize: info.chunkSize, start: info.start,
      outcome: end ? end.outcome : 'unfinished',
    };
    if (info.callSite) region.callSite = info.callSite;
    if (typeof info.called === 'number') region.called = Math.min(info.called, info.start);
    if (end) region.end = end.end;
    return region;
  });

  // Threads.
  const threads: ThreadInfo[] = threadsSpool.map((t) => {
    const start = first(t, 'start')!;
    const end = first(t, 'end');
    const isMain = start.main;
    const info: ThreadInfo = {
      id: t.tid,
      name: isMain ? 'main' : joined.get(t.tid)?.name ?? created.get(t.tid)?.name ?? `worker ${t.tid}`,
      kind: isMain ? 'main' : 'worker',
      start: start.t,
    };
    const j = joined.get(t.tid);
    const c = created.get(t.tid);
    if (j) info.pool = poolId(j.pool);
    else if (c && c.region !== EXTERNAL_REGION && regionId.has(c.region)) info.pool = regions[regionId.get(c.region)!].pool;
    const workerExit = exited.get(t.tid);
    if (end) info.end = end.t;
    else if (workerExit) info.end = workerExit.t;
    else if (!killed) info.end = facts.endUs; // alive until the process ended, which stopped it
    if (!isMain) {
      const uncaught = first(t, 'uncaught');
      const pexit = first(t, 'processExit');
      if (uncaught) info.died = { at: uncaught.t, reason: `uncaught error: ${uncaught.message}` };
      else if (pexit && pexit.code !== 0) info.died = { at: pexit.t, reason: `process.exit(${pexit.code})` };
      else if (!end && workerExit && !workerExit.terminated) info.died = { at: workerExit.t, reason: `terminated (exit code ${workerExit.code})` };
      if (uncaught) markers.push({ t: uncaught.t, thread: t.tid, kind: 'worker-error', message: uncaught.message, stack: uncaught.stack });
      else if (errored.has(t.tid)) {
        const e = errored.get(t.tid)!;
        markers.push({ t: e.t, thread: t.tid, kind: 'worker-error', message: e.message, stack: e.stack });
      }
      if (info.died && !uncaught) markers.push({ t: info.died.at, thread: t.tid, kind: 'worker-exit', message: `${info.name}: ${info.died.reason}` });
      // Stopped by its owner (worker.terminate(), a pool's destroy()): a shutdown, not a death.
      else if (!info.died && !end && workerExit?.terminated) {
        info.terminated = { at: workerExit.t };
        markers.push({ t: workerExit.t, thread: t.tid, kind: 'note', message: `${info.name}: terminated by its owner (worker.terminate())` });
      }
    }
    for (const m of all(t, 'marker')) markers.push({ t: m.t, thread: t.tid, kind: m.kind, message: m.message, ...(m.stack ? { stack: m.stack } : {}) });
    return info;
  });
  const threadById = new Map(threads.map((t) => [t.id, t]));

  // External regions: how many workers, and when the last of their messages was handled.
  for (const r of regions) if (r.kind === 'external') r.threads = 0;
  for (const c of created.values()) {
    const id = regionId.get(c.region);
    if (id !== undefined) regions[id].threads++;
  }

  const spans = collectSpans(threadsSpool, regionId, created, submitTimes(spool), (n) => { droppedSpans += n; }, facts.originUs,
    new Map(threads.flatMap((t) => (t.died ? [[t.id, t.died.at] as const] : []))));
  for (const r of regions) {
    if (r.kind !== 'external') continue;
    let last = r.start;
    for (let k = 0; k < spans.count; k++) if (spans.region[k] === r.id && spans.end[k] > last) last = spans.end[k];
    if (!killed && !facts.cancelled) {
      r.end = last;
      r.outcome = 'ok';
    }
  }

  // Profiles: rebased from V8's clock (same monotonic clock as hrtime) to the origin.
  // V8 names CommonJS scripts by path and ES modules by file:// URL: key each map both ways.
  const maps = spool.sourceMaps.flatMap((m) => [m.url, m.file].map((url) => ({ url, map: m.map as RawSourceMap })));
  // Call sites point into the same generated code as the frames: map them the same way.
  for (const r of regions) if (r.callSite && maps.length > 0) r.callSite = mapSourcePosition(r.callSite, maps);
  const profiles: Report['profiles'] = [];
  let droppedProfiles = 0;
  const sampleGaps = lostSamples(threadsSpool, threadById, facts);
  for (const t of threadsSpool) {
    if (!t.profile) {
      if (facts.sampleIntervalUs > 0) droppedProfiles++;
      continue;
    }
    const raw: CpuProfile = t.profile;
    raw.startTime -= facts.originUs;
    raw.endTime -= facts.originUs;
    const ordered = inTimeOrder(raw);
    const p = maps.length > 0 ? applySourceMaps(ordered, maps) : ordered;
    // Partial: the thread died, or its last chunk is not its final one (killed, or terminated unsaved).
    const stopped = threadById.get(t.tid);
    const partial = stopped?.died !== undefined || stopped?.terminated !== undefined || (t.profileChunks !== undefined && !t.profileChunks.final);
    profiles.push({ thread: t.tid, profile: p, ...(partial ? { partial: true } : {}) });
  }

  const elu: Report['elu'] = threadsSpool.map((t) => {
    const series = { thread: t.tid, t: [] as number[], u: [] as number[] };
    for (const e of all(t, 'elu')) { series.t.push(...e.t); series.u.push(...e.u); }
    return series;
  }).filter((s) => s.t.length > 0);

  // How the process ended.
  const mainSpool = threadsSpool.find((t) => first(t, 'start')!.main);
  const mainStart = first(mainSpool, 'start');
  const uncaught = mainSpool ? all(mainSpool, 'uncaught').at(-1) : undefined;
  if (uncaught) markers.push({ t: uncaught.t, thread: 0, kind: 'error', message: uncaught.message, stack: uncaught.stack });
  const pexit = mainSpool ? first(mainSpool, 'processExit') : undefined;
  if (pexit) markers.push({ t: pexit.t, thread: 0, kind: 'exit', message: `process.exit(${pexit.code})` });
  // A signal the script did not handle (someone's `kill -INT`, not parprof's cancel): the preload
  // exited 128 + its number to save the recording; without us the signal would have ended it, so
  // the report says it did (and `parprof record` still exits 128 + its number).
  const signalled = mainSpool && !facts.child && !facts.cancelled ? first(mainSpool, 'signal') : undefined;
  const signalNumber = signalled ? (osConstants.signals as Record<string, number>)[signalled.signal] : undefined;
  const exit = signalled && signalNumber !== undefined && facts.exit.code === 128 + signalNumber ? { code: null, signal: signalled.signal } : facts.exit;
  if (!facts.child) {
    if (facts.cancelled) markers.push({ t: facts.endUs, thread: 0, kind: 'cancelled', message: facts.cancelledBy ? stoppedByWords(facts.cancelledBy) : RUN_CANCELLED });
    if (exit !== facts.exit) markers.push({ t: signalled!.t, thread: 0, kind: 'killed', message: `killed by ${exit.signal} (the recorder saved the recording, then exited ${facts.exit.code}, as the signal would have ended it)` });
    else if (killed) markers.push({ t: facts.endUs, thread: 0, kind: 'killed', message: `killed by ${facts.exit.signal}` });
    else markers.push({ t: facts.endUs, thread: 0, kind: 'exit', message: `exit code ${facts.exit.code}` });
  }
  markers.sort((a, b) => a.t - b.t);

  const v2 = buildV2Fields(spool, { threads: threadsSpool, regions, regionId, poolId, spans, spawnUs: facts.spawnUs ?? 0 });
  // One definition for every pool: a region starts when its tasks can run. A ThreadPool's
  // operation starts once its workers are ready (waiting for them is its call's, `called`); an
  // instrumented library's region began at its first worker's creation, so its start moves to its
  // first worker's readiness and the creation becomes its call: start-up is no idle time of it.
  const firstReady = new Map<number, number>();
  for (const w of v2.startup?.workers ?? []) if (w.ready !== undefined) firstReady.set(w.pool, Math.min(firstReady.get(w.pool) ?? Infinity, w.ready));
  for (const r of regions) {
    const ready = firstReady.get(r.pool);
    if (r.kind !== 'external' || ready === undefined || ready <= r.start) continue;
    r.called = Math.min(r.called ?? r.start, r.start);
    r.start = r.end !== undefined ? Math.min(ready, r.end) : ready;
  }

  return {
    format: REPORT_FORMAT,
    version: REPORT_VERSION,
    meta: {
      script: facts.script, args: facts.args, cwd: facts.cwd,
      nodeVersion: mainStart?.nodeVersion ?? facts.nodeFallback.version,
      nodePath: mainStart?.execPath ?? facts.nodeFallback.path,
      cores: facts.cores, platform: process.platform, startedAt: facts.startedAt, originUs: facts.originUs,
      durationUs: facts.endUs, pool: facts.pool, sampleIntervalUs: facts.sampleIntervalUs, recorder: facts.recorder,
    },
    threads, regions, spans, profiles, elu, markers,
    dropped: { spans: droppedSpans, samples: droppedSamples, profiles: droppedProfiles, ...(v2.droppedWaits ? { waits: v2.droppedWaits } : {}),
      ...(sampleGaps.length > 0 ? { sampleGaps } : {}) },
    exit: { code: exit.code, signal: exit.signal, error: uncaught ? { message: uncaught.message, stack: uncaught.stack } : null },
    ...(v2.startup ? { startup: v2.startup } : {}),
    cpu: v2.cpu,
    waits: v2.waits,
  };
}

/** When each task of a known pool was submitted ('submits' events of the creating threads), by library and key. */
function submitTimes(spool: Spool): Map<string, Map<number, number>> {
  const out = new Map<string, Map<number, number>>();
  for (const t of spool.threads.values()) {
    for (const e of all(t, 'submits')) {
      let m = out.get(e.lib);
      if (!m) out.set(e.lib, (m = new Map()));
      for (let k = 0; k < e.key.length; k++) m.set(e.key[k], e.t[k]);
    }
  }
  return out;
}
