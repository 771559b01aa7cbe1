// Export of each thread's CPU profile as a plain V8 .cpuprofile (VS Code's profile viewer,
// Chrome DevTools, speedscope), into a folder. Pure: names and profiles out; the caller writes
// them. import-cpuprofile.ts reads the folder back as one report.
import type { CpuProfile, Report } from './report';

export interface CpuProfileFile {
  /** 'thread-<id>-<thread name>.cpuprofile'; characters a file name cannot hold become '_'. */
  name: string;
  /**
   * Times in µs on the run's monotonic clock (originUs + report time), as `node --cpu-prof`
   * writes them, so the files of one run line up on one timeline.
   */
  profile: CpuProfile;
}

/** A thread name as part of a file name: no path separators, controls or characters Windows refuses. */
function fileSafe(name: string): string {
  // eslint-disable-next-line no-control-regex
  return name.replace(/[\u0000-\u001f\u007f/\\:*?"<>|]/g, '_').slice(0, 100) || '_';
}

export function toCpuProfiles(report: Report): CpuProfileFile[] {
  const names = new Map(report.threads.map((t) => [t.id, t.name]));
  const origin = report.meta.originUs;
  return report.profiles.map((tp) => {
    const p = tp.profile;
    return {
      name: `thread-${tp.thread}-${fileSafe(names.get(tp.thread) ?? `thread ${tp.thread}`)}.cpuprofile`,
      profile: { nodes: p.nodes, startTime: origin + p.startTime, endTime: origin + p.endTime, samples: p.samples, timeDeltas: p.timeDeltas },
    };
  });
}
