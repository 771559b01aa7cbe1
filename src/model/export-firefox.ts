// Export for Firefox Profiler (profiler.firefox.com and its CLI): a Chrome trace as its Chrome
// importer reads it. Pure.
import type { Report } from './report';
import { toChromeTrace, type ChromeTrace } from './export-chrome';

/**
 * The report as a Chrome trace for Firefox Profiler: every thread's CPU samples as
 * Profile/ProfileChunk events with node ids unique across threads (its importer keys nodes by id
 * over the whole trace, so ids that restart at 1 on each thread charged one worker's samples to
 * another's functions), and spans as X events, which it shows as markers.
 */
export function toFirefoxTrace(report: Report): ChromeTrace {
  return toChromeTrace(report, { profiles: true, flows: false, counters: false });
}
