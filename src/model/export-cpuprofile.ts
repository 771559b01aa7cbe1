// Export of each thread's CPU profile as a plain V8 .cpuprofile (VS Code's profile viewer,
// Chrome DevTools, speedscope), into a folder. Pure: names and profiles out; the caller writes
// them. import-cpuprofile.ts reads the folder back as one report.
import type { CpuProfile, Report, ThreadInfo } from './report';

/**
 * The field of an exported profile that says which thread it was, beside V8's own fields (the
 * viewers of .cpuprofile files read only those): the file name carries the id and a name cut to
 * MAX_ENCODED_NAME, not the kind, and a file can be renamed.
 */
export const THREAD_FIELD = 'parprofThread';

/** What THREAD_FIELD holds: the thread's id in the report, its whole name and its kind. */
export type ProfileThread = Pick<ThreadInfo, 'id' | 'name' | 'kind'>;

export interface CpuProfileFile {
  /** cpuProfileFileName: 'thread-<id>-<thread name, percent-encoded>.cpuprofile'. */
  name: string;
  /**
   * Times in µs on the run's monotonic clock (originUs + report time), as `node --cpu-prof`
   * writes them, so the files of one run line up on one timeline.
   */
  profile: CpuProfile & { [THREAD_FIELD]: ProfileThread };
}

/** Characters a thread name keeps in a file name; every other UTF-8 byte becomes %XX. */
const KEPT = /[A-Za-z0-9._-]/;
/** Longest encoded name in a file name (a cut never splits a %XX), well under any file system's 255. */
export const MAX_ENCODED_NAME = 120;

/**
 * The file name of a thread's profile: 'thread-<id>-<name>.cpuprofile', the name percent-encoded
 * except letters, digits, '.', '_' and '-' ('poolifier 2' -> 'poolifier%202', '../x' -> '..%2Fx').
 * So no space, separator, control or character Windows refuses; the 'thread-<id>-' prefix keeps
 * it from ever being '.' or '..' and unique per thread; the same name always gives the same file
 * name; and the importer decodes it back (threadNameOfFile).
 */
export function cpuProfileFileName(thread: number, name: string): string {
  let encoded = '';
  for (const ch of name) {
    const part = KEPT.test(ch) ? ch : Array.from(new TextEncoder().encode(ch), (b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
    if (encoded.length + part.length > MAX_ENCODED_NAME) break;
    encoded += part;
  }
  return `thread-${thread}-${encoded || '_'}.cpuprofile`;
}

/** The thread name in a file name written by cpuProfileFileName; a part that is not valid percent-encoding is kept as it is. */
export function threadNameOfFile(encoded: string): string {
  try {
    return decodeURIComponent(encoded);
  } catch {
    return encoded;
  }
}

export function toCpuProfiles(report: Report): CpuProfileFile[] {
  const threads = new Map(report.threads.map((t) => [t.id, t]));
  const origin = report.meta.originUs;
  return report.profiles.map((tp) => {
    const p = tp.profile;
    const t = threads.get(tp.thread);
    const thread: ProfileThread = { id: tp.thread, name: t?.name ?? `thread ${tp.thread}`, kind: t?.kind ?? (tp.thread === 0 ? 'main' : 'worker') };
    return {
      name: cpuProfileFileName(tp.thread, thread.name),
      profile: { nodes: p.nodes, startTime: origin + p.startTime, endTime: origin + p.endTime, samples: p.samples, timeDeltas: p.timeDeltas, [THREAD_FIELD]: thread },
    };
  });
}
