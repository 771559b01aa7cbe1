// Export for Firefox Profiler (profiler.firefox.com and its CLI): a Chrome trace as its Chrome
// importer reads it. Pure.
import type { CpuProfileNode, Report } from './report';
import { toChromeTrace, type ChromeTrace } from './export-chrome';
import { IDLE_FRAME, isIdleFrame } from './profile-index';

/**
 * The report as a Chrome trace for Firefox Profiler: every thread's CPU samples as
 * Profile/ProfileChunk events with node ids unique across threads (its importer keys nodes by id
 * over the whole trace, so ids that restart at 1 on each thread charged one worker's samples to
 * another's functions), and spans as X events, which it shows as markers.
 */
export function toFirefoxTrace(report: Report): ChromeTrace {
  return toChromeTrace(withWaitsAsIdle(report), { profiles: true, flows: false, counters: false });
}

/**
 * Firefox Profiler counts a sample idle when its frame is '(idle)' (its Chrome importer's Idle
 * category) and leaves idle samples out of its function lists. Our views count a pool's wait for
 * work as idle too (isIdleFrame: a piscina or tinypool worker blocked in Atomics.wait between
 * tasks, our own pool's waits), so those frames are written as '(idle)': else a piscina worker that
 * waited for work 70 % of the run showed the recorder's waitForWork as its hottest function.
 */
function withWaitsAsIdle(report: Report): Report {
  const asIdle = (n: CpuProfileNode): boolean => n.callFrame.functionName !== IDLE_FRAME && isIdleFrame(n.callFrame);
  if (!report.profiles.some((p) => p.profile.nodes.some(asIdle))) return report;
  const profiles = report.profiles.map((p) => (!p.profile.nodes.some(asIdle) ? p : {
    ...p,
    profile: { ...p.profile, nodes: p.profile.nodes.map((n) => (asIdle(n) ? { ...n, callFrame: { ...n.callFrame, functionName: IDLE_FRAME, url: '', lineNumber: -1, columnNumber: -1 } } : n)) },
  }));
  return { ...report, profiles };
}
