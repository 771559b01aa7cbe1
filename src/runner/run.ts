// The parent side of a recording, shared by the CLI and the VS Code extension: starts the script
// under the preload (run-start.ts), waits for it, and turns the spool into a report.
import type { Report } from '../model/report';
import type { RunMetrics } from '../model/analysis';
import { DEFAULT_SCHEDULE } from '../runtime/contract';
import { tickLogsToProfiles } from './tick-logs';
import { packageVersion } from './paths';
import { buildRunReport } from './report-build-processes';
import { readSpool } from './spool';
import { writeReportStreamed } from './write-report';
import { startRun, type RunOptions, type StartedRun } from './run-start';

export { startRun, validateRunOptions, type RunOptions, type StartedRun } from './run-start';

/**
 * `file` is where the report is. `unwritten` is set when it could not be written to the path
 * asked for (disk full, folder gone): that path and the error code; `file` is then a fallback.
 */
export interface RunResult {
  report: Report; file: string; cancelled: boolean; unwritten?: { path: string; error: string };
  /** The report's metrics when writing it computed them (a large report's header holds its headline). */
  metrics?: RunMetrics;
}

export function runProfiled(options: RunOptions): Promise<RunResult> {
  return finishRun(startRun(options));
}

/** Waits for a started script to end, builds its report from the spool and writes it; the spool goes. */
export async function finishRun(run: StartedRun): Promise<RunResult> {
  const { options, script, args, cwd, startedAt, originUs, sampleIntervalUs, cores, spool } = run;
  try {
    const ended = await run.ended;
    if (run.zeroxDir) {
      const done = await tickLogsToProfiles(spool, { zeroxDir: run.zeroxDir, node: options.node ?? 'node', rootPid: ended.pid, originUs });
      for (const f of done.failures) (options.onOutput ?? ((t: string) => process.stderr.write(t)))(`[parprof] 0x: ${f}\n`, 'stderr');
    }
    const report = buildRunReport(readSpool(spool), {
      script, args, cwd, startedAt, originUs, endUs: ended.atUs - originUs, spawnUs: ended.spawnedUs - originUs, exit: { code: ended.code, signal: ended.signal },
      cancelled: ended.cancelled,
      // The CLI aborts with the signal that stopped it ('SIGINT'): the report says so instead of the SIGTERM's exit 143.
      ...(ended.cancelled && typeof options.signal?.reason === 'string' ? { cancelledBy: options.signal.reason } : {}),
      pool: { threads: options.threads ?? cores, schedule: options.schedule ?? DEFAULT_SCHEDULE },
      sampleIntervalUs, cores, recorder: packageVersion(),
      nodeFallback: { version: 'unknown', path: options.node ?? 'node' },
    });
    // Streamed: a report of millions of spans is longer than the longest string V8 can hold.
    const written = writeReportStreamed(run.out, report);
    return { report, ...written, cancelled: ended.cancelled };
  } finally {
    run.cleanUp();
  }
}
