// What `activate` returns: a small read-mostly view of the extension's state, used by the
// integration tests (and by anyone scripting the extension) to check what the UI shows.
import type * as vscode from 'vscode';
import type { AppliedHotFile } from './hotLines';
import type { WorkloadInfo, WorkloadRunEnd } from './workloads';
import type { ReportViewStatus } from './reportEditor';
import type { ProfileOutcome, RunTimings } from './profiling';
import type { WizardStep } from './optionsWizard';

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
  onDidRunWorkload: vscode.Event<WorkloadRunEnd>;
  /** Fires when a profiling run ended (also cancelled ones), after the results were shown. */
  onDidFinishRun: vscode.Event<ProfileOutcome>;
  /** Report panels and custom editors, with their ready/init handshake state (and, for report views, when they were ready). */
  webviews(): ReportViewStatus[];
  /** Messages shown when running was refused (untrusted workspace), oldest first. */
  refusals(): string[];
  /** True while a run is in progress. */
  isRunning(): boolean;
  /** Information, warning and error messages the extension showed ("info: text [Action | Action]"), oldest first. */
  messages(): string[];
  /** The step of "Profile with Options…" / "Profile with N threads…" on screen, if any. */
  wizardStep(): WizardStep | undefined;
  /** Where the time of this session's runs went, oldest first. */
  timings(): RunTimings[];
  /** Report files being read right now, each in a worker thread of its own (reportParser.ts). */
  reportsBeingRead(): number;
  /** Report files listed in the Runs view, newest first, as the view shows them. */
  runs(): Promise<{ file: string; label: string; description: string; tooltip: string }[]>;
}
