// Import of plain V8 .cpuprofile files: one file as a one-thread report, or the files
// `node --cpu-prof` writes for every thread of a process (CPU.<date>.<time>.<pid>.<tid>.<seq>.cpuprofile,
// startTime/endTime on the shared monotonic clock) as one report on one timeline. Pure: the
// caller reads the files.
import type { CpuProfile, Report, ThreadInfo, ThreadProfile } from './report';
import { ReportError } from './load';
import { emptyReport, medianDelta, profileInOrder, placeholderMachine } from './import-common';
import { THREAD_FIELD, threadNameOfFile, type ProfileThread } from './export-cpuprofile';

/** Whether `json` looks like a CPU profile at all (not whether it is a well-formed one). */
export function looksLikeCpuProfile(json: unknown): boolean {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return false;
  const o = json as Record<string, unknown>;
  return Array.isArray(o.nodes) && 'startTime' in o && 'samples' in o;
}

/** One profile file: its name (the thread id is read from Node's naming) and parsed JSON. */
export interface ProfileFile {
  name: string;
  json: unknown;
}

/** Node's --cpu-prof file name: CPU.<yyyymmdd>.<hhmmss>.<pid>.<tid>.<seq>.cpuprofile */
const NODE_NAME = /^CPU\.\d+\.\d+\.(\d+)\.(\d+)\.(\d+)\.cpuprofile$/;
/** Our own export's file name (export-cpuprofile.ts cpuProfileFileName): thread-<id>-<percent-encoded name>.cpuprofile */
const EXPORT_NAME = /^thread-(\d+)-(.*)\.cpuprofile$/;

/**
 * The thread our export wrote into a profile (THREAD_FIELD: id, whole name, kind); undefined when
 * the profile has none (Node's own, another tool's); a ReportError naming the file when malformed.
 */
function profileThread(json: unknown, file: string): ProfileThread | undefined {
  const t = (json as Record<string, unknown>)[THREAD_FIELD];
  if (t === undefined) return undefined;
  const o = (typeof t === 'object' && t !== null ? t : {}) as Record<string, unknown>;
  if (!Number.isSafeInteger(o.id) || (o.id as number) < 0 || typeof o.name !== 'string' || (o.kind !== 'main' && o.kind !== 'worker')) {
    throw new ReportError(`${file}: ${THREAD_FIELD} must be { id: a whole number ≥ 0, name: a string, kind: 'main' or 'worker' }, got ${JSON.stringify(t)?.slice(0, 100)}`);
  }
  return { id: o.id as number, name: o.name, kind: o.kind };
}

/**
 * A plain V8 `.cpuprofile` as a report with one thread (id 0, 'main') and no spans; times are
 * rebased so the profile starts at 0. Undefined when `json` is no CPU profile; ReportError when it
 * is one but malformed.
 */
export function importCpuProfile(json: unknown, name?: string): Report | undefined {
  if (!looksLikeCpuProfile(json)) return undefined;
  return importCpuProfiles([{ name: name ?? 'imported.cpuprofile', json }], name ?? 'imported.cpuprofile', { single: true });
}

/**
 * Several profiles of one run (one per thread, on one clock) as one report: thread ids from the
 * file names (Node's CPU.<date>.<time>.<pid>.<tid>.<seq> or our thread-<id>-<name>), else 0, 1, 2...
 * in name order; tid 0 is the main thread; with several pids, threads are numbered in order and
 * named with their pid. The origin is the earliest profile start.
 */
export function importCpuProfiles(files: ProfileFile[], name: string, options?: { single?: boolean }): Report {
  if (files.length === 0) throw new ReportError('no .cpuprofile files to import');
  const parsed = files.map((f) => {
    const node = NODE_NAME.exec(f.name);
    const ours = EXPORT_NAME.exec(f.name);
    if (!looksLikeCpuProfile(f.json)) throw new ReportError(`${f.name}: not a V8 .cpuprofile (no nodes, samples, startTime)`);
    // Our export says the thread twice: in the file name (id, a name cut short) and in the profile
    // (id, whole name, kind). The file name's id wins (a folder's ids must be unique by name); the
    // profile's name is whole, and only the profile knows the kind.
    const carried = profileThread(f.json, f.name);
    return {
      file: f.name, profile: profileInOrder(f.json, options?.single ? 'cpuprofile' : f.name),
      pid: node ? Number(node[1]) : undefined, tid: node ? Number(node[2]) : ours ? Number(ours[1]) : carried?.id,
      seq: node ? Number(node[3]) : 0, threadName: carried?.name ?? (ours ? threadNameOfFile(ours[2]) : undefined), kind: carried?.kind,
    };
  });
  parsed.sort((a, b) => (a.pid ?? 0) - (b.pid ?? 0) || (a.tid ?? 0) - (b.tid ?? 0) || a.seq - b.seq || a.file.localeCompare(b.file));
  const pids = new Set(parsed.map((p) => p.pid));
  const byTid = parsed.every((p) => p.tid !== undefined) && pids.size === 1 && new Set(parsed.map((p) => p.tid)).size === parsed.length;
  if (!options?.single && !byTid && parsed.some((p) => p.tid !== undefined) && pids.size === 1) {
    const seen = new Map<number, string>();
    for (const p of parsed) {
      if (p.tid === undefined) continue;
      const other = seen.get(p.tid);
      if (other) throw new ReportError(`${p.file} and ${other} are both thread ${p.tid}: import the profiles of one run only`);
      seen.set(p.tid, p.file);
    }
  }
  let origin = Infinity, end = -Infinity;
  for (const p of parsed) { origin = Math.min(origin, p.profile.startTime); end = Math.max(end, p.profile.endTime); }
  const report = emptyReport(name, undefined, origin, end - origin);
  report.meta.recorder = options?.single ? 'import:cpuprofile' : 'import:cpuprofiles';
  const threads: ThreadInfo[] = [];
  const profiles: ThreadProfile[] = [];
  parsed.forEach((p, k) => {
    const id = options?.single ? 0 : byTid ? p.tid! : k;
    // One file alone is the main thread unless its name says which thread it was (Node's
    // CPU.<date>.<time>.<pid>.<tid>.<seq> or our thread-<id>-<name>: thread 0 is main).
    // Our export's profile says the kind: a child process's main thread has an id other than 0.
    const main = p.kind ? p.kind === 'main' : options?.single ? p.tid === undefined || p.tid === 0 : byTid ? id === 0 : p.tid === 0;
    const label = p.threadName ?? (main ? 'main' : p.tid !== undefined ? `worker ${p.tid}` : p.file.replace(/\.cpuprofile$/, ''));
    const start = p.profile.startTime - origin, stop = p.profile.endTime - origin;
    threads.push({ id, name: pids.size > 1 ? `${label} (pid ${p.pid})` : label, kind: main ? 'main' : 'worker', start, end: stop });
    const profile = { ...structuredClone(p.profile), startTime: start, endTime: stop };
    delete (profile as Partial<Record<string, unknown>>)[THREAD_FIELD]; // said by the report's threads now
    profiles.push({ thread: id, profile });
  });
  report.threads = threads;
  report.profiles = profiles;
  report.meta.sampleIntervalUs = medianDelta(parsed[0].profile.timeDeltas);
  placeholderMachine(report);
  return report;
}
