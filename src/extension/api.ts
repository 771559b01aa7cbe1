// What `activate` returns: a small read-mostly view of the extension's state, used by the
// integration tests (and by anyone scripting the extension) to check what the UI shows.
import type * as vscode from 'vscode';
import type { AppliedHotFile } from './hotLines';
import type { WorkloadInfo } from './workloads';
import type { WebviewStatus } from './webviewHost';
import type { ProfileOutcome } from './profiling';

export interface ParallelProfilerApi {
  /** Hot-line decorations applied to the visible editors right now. */
  hotLines(): AppliedHotFile[];
  /** Thread whose hot lines are shown; undefined = all threads. */
  hotLineThread(): number | undefined;
  /** Workloads the "Parallel workloads" test controller has discovered. */
  workloads(): WorkloadInfo[];
  /** Rescans the workspace for workload declarations. */
  discoverWorkloads(): Promise<void>;
  /** Fires when a workload run from the Testing API ended. */
  onDidRunWorkload: vscode.Event<{ item: string; outcome: ProfileOutcome | undefined; passed: boolean }>;
  /** Fires when a profiling run ended (also cancelled ones), after the results were shown. */
  onDidFinishRun: vscode.Event<ProfileOutcome>;
  /** Report panels and custom editors, with their ready/init handshake state. */
  webviews(): WebviewStatus[];
  /** Messages shown when running was refused (untrusted workspace), oldest first. */
  refusals(): string[];
  /** True while a run is in progress. */
  isRunning(): boolean;
  /** Report files listed in the Runs view, newest first. */
  runs(): Promise<{ file: string; description: string }[]>;
}
