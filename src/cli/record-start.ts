// The start of `parprof record`: the script spawned, and the CLI's stop signals passed on to it.
// Run by the launcher (src/cli/launch.ts) before it loads the report code, so the script starts
// while the rest of the CLI loads; main.ts runs it when the launcher did not (another entry, or a
// command line the launcher left to main to refuse). Small on purpose: the launcher bundles it.
import { startRun, type StartedRun } from '../runner/run-start';
import type { Command } from './args';

export type RecordCommand = Extract<Command, { cmd: 'record' }>;

const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
export type StopSignal = (typeof STOP_SIGNALS)[number];
const STOP_WORDS: Record<StopSignal, string> = {
  SIGINT: 'interrupted', SIGTERM: 'terminated (SIGTERM)', SIGHUP: 'the terminal went away (SIGHUP)',
};

/**
 * A recording under way: the started run, and the signal that stopped it, if one did. `abandon`
 * stops the script's whole process group (SIGTERM, then SIGKILL) when the CLI cannot go on.
 */
export interface RecordStart { run: StartedRun; stoppedBy(): StopSignal | undefined; abandon(): void }

/**
 * Spawns the script of `c`. Throws an Error naming the bad input (a missing script, an unwritable
 * --out) before anything is spawned or any signal is taken over.
 */
export function startRecord(c: RecordCommand): RecordStart {
  // The script runs in a process group of its own (so a cancel reaches everything it started),
  // which a terminal's Ctrl-C does not reach: pass it on as a cancel, which ends the script's
  // whole tree and still writes the partial report.
  // SIGTERM (`timeout`, a service manager) and SIGHUP (a closed terminal) mean the same: stop the
  // script's whole tree and keep what it recorded, rather than dying and orphaning it.
  // Listening before the spawn: a signal in between would kill us and orphan the script.
  const cancel = new AbortController();
  let stoppedBy: StopSignal | undefined;
  const listeners = STOP_SIGNALS.map((signal) => {
    const listener = (): void => {
      if (!cancel.signal.aborted) process.stderr.write(`\nparprof: ${STOP_WORDS[signal]}; stopping the script and writing the partial report\n`);
      stoppedBy ??= signal;
      cancel.abort(stoppedBy);
    };
    process.on(signal, listener);
    return [signal, listener] as const;
  });
  try {
    const run = startRun({ script: c.script, args: c.args, threads: c.threads, schedule: c.schedule, sampleIntervalUs: c.sampleIntervalUs, out: c.out, profiler: c.profiler, signal: cancel.signal });
    return { run, stoppedBy: () => stoppedBy, abandon: () => cancel.abort('abandoned') };
  } catch (err) {
    for (const [signal, listener] of listeners) process.off(signal, listener);
    throw err;
  }
}
