// One report for the script and every node child process it started (fork, spawn, cluster, and
// theirs: each records into a `proc-<pid>` folder of the root spool). Each process is built alone
// (report-build.ts), then merged: its threads renumbered after those before it (ids stay unique;
// `threadId` keeps the original), its regions and pools numbered after theirs, everything on the
// one clock all processes share (hrtime is CLOCK_MONOTONIC, system-wide on Linux, and every
// process inherits the run's origin). Spawn times and exit statuses come from the parents'
// childSpawn/childExit events (src/runtime/instrument-children.ts).
import type { Marker, ProcessInfo, Report, SampleGap, SpanColumns, ThreadInfo, WorkerStartup } from '../model/report';
import { clusterBusy } from '../model/interop-busy';
import { processTitle } from '../model/processes';
import { SPAN_CONCURRENT, SPAN_NO_ENQUEUE } from '../model/report';
import { CHILD_MESSAGES_FN, EXTERNAL_SPAN_CONCURRENT } from '../runtime/contract';
import type { SpoolEvent } from '../runtime/recorder-events';
import { buildReport, type RunFacts } from './report-build';
import type { ChildSpool, Spool } from './spool';

type Ev<K extends SpoolEvent['e']> = Extract<SpoolEvent, { e: K }>;

/** The report of the whole run: the script's process, then its child processes in start order. */
export function buildRunReport(spool: Spool, facts: RunFacts): Report {
  const root = buildReport(spool, facts);
  const children = spool.children.filter((c) => [...c.spool.threads.values()].some((t) => t.events.some((e) => e.e === 'start')));
  if (children.length === 0) return root;

  const spawned = new Map<number, Ev<'childSpawn'>>();
  const exited = new Map<number, Ev<'childExit'>>();
  const killedByParent = new Map<number, Ev<'childKill'>>();
  for (const s of [spool, ...children.map((c) => c.spool)]) {
    for (const t of s.threads.values()) {
      for (const e of t.events) {
        if (e.e === 'childSpawn') spawned.set(e.pid, e);
        else if (e.e === 'childExit') exited.set(e.pid, e);
        else if (e.e === 'childKill' && !killedByParent.has(e.pid)) killedByParent.set(e.pid, e);
      }
    }
  }

  const rootMain = [...spool.threads.values()].flatMap((t) => t.events).find((e): e is Ev<'start'> => e.e === 'start' && e.main);
  const rootPid = rootMain?.pid ?? 0;
  const rootProcess: ProcessInfo = {
    pid: rootPid, startedBy: 'main', script: facts.script, args: facts.args, title: processTitle('main', facts.script),
    ...(facts.spawnUs !== undefined ? { spawned: facts.spawnUs } : {}),
    start: root.startup?.preload ?? rootMain?.t ?? 0, end: facts.endUs, exit: { code: facts.exit.code, signal: facts.exit.signal },
    ...(facts.exit.signal ? { died: { at: facts.endUs, reason: `killed by ${facts.exit.signal}` } }
      : root.exit.error ? { died: { at: facts.endUs, reason: `uncaught error: ${root.exit.error.message}` } } : {}),
  };
  const merged: Part[] = [{ process: rootProcess, report: root }];
  const built = children.map((c) => buildChild(c, facts, spawned.get(c.pid), exited.get(c.pid), killedByParent.get(c.pid)));
  built.sort((a, b) => a.process.start - b.process.start || a.process.pid - b.process.pid);
  merged.push(...built);
  return mergeProcesses(merged);
}

interface Part { process: ProcessInfo; report: Report }

function buildChild(c: ChildSpool, facts: RunFacts, spawn: Ev<'childSpawn'> | undefined, exit: Ev<'childExit'> | undefined,
  kill: Ev<'childKill'> | undefined): Part {
  const events = [...c.spool.threads.values()].flatMap((t) => t.events);
  const main = events.find((e): e is Ev<'start'> => e.e === 'start' && e.main);
  const mainTid = main?.tid ?? 0;
  const mainEnd = c.spool.threads.get(mainTid)?.events.find((e): e is Ev<'end'> => e.e === 'end');
  const uncaught = c.spool.threads.get(mainTid)?.events.filter((e): e is Ev<'uncaught'> => e.e === 'uncaught').at(-1);
  // The last moment the process is known to have been alive, when it has no recorded exit: its
  // last event (CPU-time readings come with every span flush and every 50 ms).
  let lastSeen = 0;
  for (const e of events) {
    if (!('t' in e)) continue;
    const t = Array.isArray(e.t) ? e.t[e.t.length - 1] : e.t;
    if (typeof t === 'number' && t > lastSeen) lastSeen = t;
  }
  const endUs = exit?.t ?? mainEnd?.t;
  const startedBy = c.startedBy ?? 'spawn';
  // No argv[1]: node -e, -p or a script on stdin (or it died before its preload wrote it).
  const script = c.argv[0] ?? '';
  const args = c.argv.slice(1);
  const start = main?.t ?? Math.min(...events.filter((e): e is Ev<'start'> => e.e === 'start').map((e) => e.t));
  const exitStatus = exit ? { code: exit.code, signal: exit.signal } : mainEnd ? { code: mainEnd.code, signal: null } : undefined;
  // Ended by the signal its parent's kill() sent: stopped by its owner, not a death (a pool's
  // shutdown). Not SIGKILL: a child killed so cannot save what it recorded since its last chunk.
  const stoppedByParent = exit?.signal && exit.signal !== 'SIGKILL' && kill && kill.t <= exit.t && kill.signal === exit.signal ? kill : undefined;
  const died: ProcessInfo['died'] = stoppedByParent ? undefined : exit?.signal ? { at: exit.t, reason: `killed by ${exit.signal}` }
    : uncaught ? { at: uncaught.t, reason: `uncaught error: ${uncaught.message}` }
    : !exitStatus ? { at: lastSeen, reason: 'no recorded end: killed, or still running when the run ended' } : undefined;
  const process: ProcessInfo = {
    pid: c.pid, ...(c.ppid !== undefined ? { ppid: c.ppid } : {}), startedBy, script, args,
    title: processTitle(startedBy, script, c.clusterId),
    ...(spawn ? { spawned: spawn.t } : {}), start, ...(endUs !== undefined ? { end: Math.max(start, endUs) } : {}),
    ...(exitStatus ? { exit: exitStatus } : {}), ...(died ? { died } : {}), ...(stoppedByParent ? { terminated: { at: stoppedByParent.t } } : {}),
  };
  const report = buildReport(c.spool, {
    ...facts, script, args, endUs: endUs ?? lastSeen, spawnUs: spawn?.t ?? start,
    exit: exitStatus ?? { code: null, signal: null }, child: { exited: endUs !== undefined && (!exit?.signal || stoppedByParent !== undefined) },
  });
  return { process, report };
}

/** The parts' reports as one: ids renumbered, spans and regions in start order, the first part's meta and exit. */
function mergeProcesses(parts: Part[]): Report {
  const first = parts[0].report;
  const threads: ThreadInfo[] = [];
  const regions: Report['regions'] = [];
  const profiles: Report['profiles'] = [], elu: Report['elu'] = [], markers: Marker[] = [];
  const cpu: NonNullable<Report['cpu']> = [], workers: WorkerStartup[] = [];
  const dropped = { spans: 0, samples: 0, profiles: 0, waits: 0 };
  const sampleGaps: SampleGap[] = [];
  const waitRows: [number, number, number][] = [];
  const spanParts: { s: SpanColumns; thread: (t: number) => number; region: number }[] = [];
  let nextThread = 0, nextPool = 0;
  for (const { process, report } of parts) {
    const base = nextThread;
    const tid = (t: number): number => (t >= 0 ? base + t : t);
    const poolBase = nextPool;
    const regionBase = regions.length;
    for (const t of report.threads) {
      const id = tid(t.id);
      // A child's threads are named with their pid: every process has a 'main' (and often a
      // 'pool 1'), and tables, menus and exports that list threads must tell them apart.
      const name = process.startedBy === 'main' ? t.name : `${t.name} (pid ${process.pid})`;
      threads.push({ ...t, id, name, ...(t.pool !== undefined ? { pool: poolBase + t.pool } : {}), process: process.pid, ...(id !== t.id ? { threadId: t.id } : {}) });
      nextThread = Math.max(nextThread, id + 1);
    }
    for (const r of report.regions) {
      regions.push({ ...r, id: regionBase + r.id, pool: poolBase + r.pool, process: process.pid });
      nextPool = Math.max(nextPool, poolBase + r.pool + 1);
    }
    for (const t of report.threads) if (t.pool !== undefined) nextPool = Math.max(nextPool, poolBase + t.pool + 1);
    for (const w of report.startup?.workers ?? []) nextPool = Math.max(nextPool, poolBase + w.pool + 1);
    spanParts.push({ s: report.spans, thread: tid, region: regionBase });
    for (const p of report.profiles) profiles.push({ ...p, thread: tid(p.thread) });
    for (const e of report.elu) elu.push({ ...e, thread: tid(e.thread) });
    for (const m of report.markers) markers.push({ ...m, thread: tid(m.thread) });
    for (const c of report.cpu ?? []) cpu.push({ ...c, thread: tid(c.thread) });
    for (const w of report.startup?.workers ?? []) workers.push({ ...w, thread: tid(w.thread), pool: poolBase + w.pool });
    const wc = report.waits;
    if (wc) for (let k = 0; k < wc.count; k++) waitRows.push([tid(wc.thread[k]), wc.start[k], wc.end[k]]);
    dropped.spans += report.dropped.spans;
    dropped.samples += report.dropped.samples;
    dropped.profiles += report.dropped.profiles;
    dropped.waits += report.dropped.waits ?? 0;
    for (const g of report.dropped.sampleGaps ?? []) sampleGaps.push({ ...g, thread: tid(g.thread) });
    if (process.died && process.startedBy !== 'main') {
      markers.push({ t: process.died.at, thread: tid(0), kind: 'note', message: `${process.title} (pid ${process.pid}) died: ${process.died.reason}` });
    } else if (process.startedBy !== 'main' && process.end !== undefined && process.exit?.code) {
      markers.push({ t: process.end, thread: tid(0), kind: 'note', message: `${process.title} (pid ${process.pid}) exited with code ${process.exit.code}` });
    }
  }

  // Cluster workers' main threads handle no messages: their busy time from their CPU samples,
  // one region per primary (interop-busy.ts). Which threads have spans is read only then.
  if (parts.some((p) => p.process.startedBy === 'cluster')) {
    const withSpans = new Set<number>();
    for (const p of spanParts) for (let r = 0; r < p.s.count; r++) withSpans.add(p.thread(p.s.thread[r]));
    const cluster = clusterBusy(parts.map((p) => p.process), threads, profiles, waitRows, withSpans, regions.length, nextPool);
    if (cluster) {
      // Its spans carry the regions' positions already (from regions.length on): no base to add.
      spanParts.push({ s: cluster.spans, thread: (t) => t, region: 0 });
      regions.push(...cluster.regions);
    }
  }

  // A forked child's message spans (instrument-child-messages.ts), by region index before renumbering.
  const messageRegions = new Set(regions.flatMap((r, i) => (r.kind === 'external' && r.fn === CHILD_MESSAGES_FN ? [i] : [])));
  // Regions in start order (as in one process), ids their positions.
  const order = regions.map((_, i) => i).sort((a, b) => regions[a].start - regions[b].start || a - b);
  const regionId = new Int32Array(regions.length);
  order.forEach((old, id) => { regionId[old] = id; });
  const sortedRegions = order.map((old) => ({ ...regions[old], id: regionId[old] }));

  markers.sort((a, b) => a.t - b.t);
  waitRows.sort((a, b) => a[1] - b[1] || a[0] - b[0]);
  workers.sort((a, b) => a.created - b.created || a.thread - b.thread);
  const out: Report = {
    ...first,
    threads, regions: sortedRegions, spans: mergeSpans(spanParts, regionId, messageRegions), profiles, elu, markers,
    dropped: { spans: dropped.spans, samples: dropped.samples, profiles: dropped.profiles, ...(dropped.waits ? { waits: dropped.waits } : {}),
      ...(sampleGaps.length > 0 ? { sampleGaps } : {}) },
    cpu,
    waits: { count: waitRows.length, thread: waitRows.map((w) => w[0]), start: waitRows.map((w) => w[1]), end: waitRows.map((w) => w[2]) },
    processes: parts.map((p) => p.process),
  };
  if (first.startup) out.startup = { ...first.startup, workers };
  return out;
}

/**
 * Span columns of every part as one, in start order (ties: part order, then row order), thread,
 * stolenFrom and region renumbered. Spans of `messageRegions` (a forked child's messages, by
 * their index before renumbering) carry their flags in `first` (instrument-child-messages.ts):
 * they become SPAN_CONCURRENT, and SPAN_NO_ENQUEUE (the child cannot tell when its parent sent).
 */
function mergeSpans(parts: { s: SpanColumns; thread: (t: number) => number; region: number }[], regionId: Int32Array, messageRegions: Set<number>): SpanColumns {
  let n = 0;
  for (const p of parts) n += p.s.count;
  const start = new Float64Array(n), part = new Int32Array(n), row = new Int32Array(n);
  let k = 0;
  parts.forEach((p, i) => {
    for (let r = 0; r < p.s.count; r++, k++) { start[k] = p.s.start[r]; part[k] = i; row[k] = r; }
  });
  // Each part is already in start order: a stable sort on the concatenation merges them.
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => start[a] - start[b] || a - b);
  const anyFlags = messageRegions.size > 0 || parts.some((p) => p.s.flags !== undefined);
  const out: SpanColumns = {
    count: n, thread: new Array<number>(n), region: new Array<number>(n), index: new Array<number>(n), first: new Array<number>(n),
    items: new Array<number>(n), enqueue: new Array<number>(n), start: new Array<number>(n), end: new Array<number>(n),
    stolenFrom: new Array<number>(n), parent: new Array<number>(n), failed: new Array<number>(n), ...(anyFlags ? { flags: new Array<number>(n) } : {}),
  };
  for (let o = 0; o < n; o++) {
    const i = order[o], p = parts[part[i]], s = p.s, r = row[i];
    out.thread[o] = p.thread(s.thread[r]);
    out.region[o] = regionId[p.region + s.region[r]];
    out.index[o] = s.index[r]; out.first[o] = s.first[r]; out.items[o] = s.items[r]; out.enqueue[o] = s.enqueue[r];
    out.start[o] = s.start[r]; out.end[o] = s.end[r];
    out.stolenFrom[o] = s.stolenFrom[r] >= 0 ? p.thread(s.stolenFrom[r]) : s.stolenFrom[r];
    out.parent[o] = s.parent[r]; out.failed[o] = s.failed[r];
    if (out.flags) out.flags[o] = s.flags?.[r] ?? 0;
    if (messageRegions.has(p.region + s.region[r])) {
      out.flags![o] |= SPAN_NO_ENQUEUE | ((s.first[r] & EXTERNAL_SPAN_CONCURRENT) !== 0 ? SPAN_CONCURRENT : 0);
      out.first[o] = 0;
    }
  }
  return out;
}
