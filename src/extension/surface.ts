// The extension's declared surface: every command id, setting, context key and view id is
// declared here once. test/vscode/suite/surface.test.ts checks package.json's `contributes`
// against these lists both ways. This file imports nothing so plain Node can read it too.

/** A command as the palette shows it: `category: title`. */
export interface CommandDecl {
  id: string;
  title: string;
  /** Shown in the command palette (false for commands that need an argument, e.g. tree items). */
  palette: boolean;
  icon?: string;
}

export const CATEGORY = 'Parallel Profiler';

export const COMMANDS = {
  profileCurrentFile: { id: 'parallelProfiler.profileCurrentFile', title: 'Profile Current File', palette: true, icon: '$(run)' },
  profileFile: { id: 'parallelProfiler.profileFile', title: 'Profile File…', palette: true },
  profileWithOptions: { id: 'parallelProfiler.profileWithOptions', title: 'Profile with Options…', palette: true },
  profileWithThreads: { id: 'parallelProfiler.profileWithThreads', title: 'Profile with N Threads…', palette: true },
  sweepThreads: { id: 'parallelProfiler.sweepThreads', title: 'Sweep Thread Counts (parprof sweep)', palette: true },
  compareSchedules: { id: 'parallelProfiler.compareSchedules', title: 'Compare Schedules (parprof ab)', palette: true },
  compareWith: { id: 'parallelProfiler.compareWith', title: 'Compare with…', palette: true },
  stopProfiling: { id: 'parallelProfiler.stopProfiling', title: 'Stop Profiling', palette: true, icon: '$(debug-stop)' },
  openReport: { id: 'parallelProfiler.openReport', title: 'Open Report…', palette: true },
  exportReport: { id: 'parallelProfiler.exportReport', title: 'Export Report…', palette: true },
  showLastReport: { id: 'parallelProfiler.showLastReport', title: 'Show Last Report', palette: true },
  clearAnnotations: { id: 'parallelProfiler.clearAnnotations', title: 'Clear Editor Annotations', palette: true },
  selectHotLineThread: { id: 'parallelProfiler.selectHotLineThread', title: 'Show Hot Lines of Thread…', palette: true },
  refreshRuns: { id: 'parallelProfiler.refreshRuns', title: 'Refresh Runs', palette: false, icon: '$(refresh)' },
  openRun: { id: 'parallelProfiler.openRun', title: 'Open Run', palette: false },
  exportRun: { id: 'parallelProfiler.exportRun', title: 'Export Run…', palette: false },
  revealRun: { id: 'parallelProfiler.revealRun', title: 'Reveal Report File', palette: false },
  deleteRun: { id: 'parallelProfiler.deleteRun', title: 'Delete Run', palette: false, icon: '$(trash)' },
  rerun: { id: 'parallelProfiler.rerun', title: 'Re-run Profile', palette: true, icon: '$(debug-rerun)' },
  addTypes: { id: 'parallelProfiler.addTypes', title: 'Add Pool Types to Workspace', palette: true },
} as const satisfies Record<string, CommandDecl>;

/** Settings under `parallelProfiler.`; keys are the full setting names. */
export const SETTINGS = {
  threads: 'parallelProfiler.threads',
  schedule: 'parallelProfiler.schedule',
  sampleIntervalUs: 'parallelProfiler.sampleIntervalUs',
  profiler: 'parallelProfiler.profiler',
  nodePath: 'parallelProfiler.nodePath',
  nodeArgs: 'parallelProfiler.nodeArgs',
  env: 'parallelProfiler.env',
  reportFolder: 'parallelProfiler.reportFolder',
  openReportAfterRun: 'parallelProfiler.openReportAfterRun',
  revealOutput: 'parallelProfiler.revealOutput',
  windowAboveSpans: 'parallelProfiler.windowAboveSpans',
} as const;

/** Context keys set with `setContext`, used in `when` clauses of package.json. */
export const CONTEXT_KEYS = {
  /** True while at least one profiling run is in progress. */
  running: 'parallelProfiler.running',
  /** True while hot-line decorations or region CodeLens are shown. */
  annotated: 'parallelProfiler.annotated',
} as const;

export const VIEWS = {
  container: 'parallelProfiler',
  runs: 'parallelProfiler.runs',
  /** viewType of the custom editor for .parprof files: the one report view, for runs too. */
  reportEditor: 'parallelProfiler.report',
  /** viewType of the custom editor for sweep and A/B reports (.parprof-sweep.json): the sweep page. */
  sweepEditor: 'parallelProfiler.sweep',
  testController: 'parallelProfiler.workloads',
  walkthrough: 'parallelProfiler.gettingStarted',
} as const;

/** Context value of run items in the Runs view (menus match on it). */
export const RUN_ITEM_CONTEXT = 'parprofRun';
/** Context value of sweep / A-B report items in the Runs view. */
export const SWEEP_ITEM_CONTEXT = 'parprofSweep';

/** Languages whose files can be profiled (editor title button, CodeLens). */
export const SCRIPT_LANGUAGES = ['javascript', 'typescript'] as const;
