// Reads the parallelProfiler.* settings into the runner's options.
import * as vscode from 'vscode';
import * as path from 'node:path';
import { SETTINGS } from './surface';
import { SCHEDULES, type Schedule } from '../model/report';
import { PROFILERS, type ProfilerName } from '../runtime/contract';
import { WINDOW_ABOVE_SPANS } from './reportParser';

/** The profiling settings in effect for a workspace folder. */
export interface ProfileSettings {
  /** Default pool threads; undefined = the pool's own default (all cores). */
  threads?: number;
  schedule?: Schedule;
  /** CPU sampling interval, µs. */
  sampleIntervalUs: number;
  /** CPU profiler: 'inspector', or '0x' (V8's tick profiler; needs 0x in the project). */
  profiler: ProfilerName;
  /** Node executable: the setting, else `node` found on PATH (never VS Code's own runtime). */
  node: string;
  nodeArgs: string[];
  env: Record<string, string>;
  /** Absolute folder where reports are written. */
  reportFolder: string;
  openReportAfterRun: boolean;
  /** When the script output channel opens by itself. */
  revealOutput: RevealOutput;
}

/** `parallelProfiler.revealOutput`: the output opens on a failed run (default), on every run, or never. */
export const REVEAL_OUTPUT = ['onFailure', 'always', 'never'] as const;
export type RevealOutput = typeof REVEAL_OUTPUT[number];

function setting<T>(config: vscode.WorkspaceConfiguration, full: string, fallback: T): T {
  return config.get<T>(full.slice('parallelProfiler.'.length), fallback);
}

/** Settings for `scope` (a file or folder); the report folder is resolved against its workspace folder. */
export function readSettings(scope?: vscode.Uri): ProfileSettings {
  const config = vscode.workspace.getConfiguration('parallelProfiler', scope);
  const threads = setting<number>(config, SETTINGS.threads, 0);
  const schedule = setting<string>(config, SETTINGS.schedule, 'default');
  const nodePath = setting<string>(config, SETTINGS.nodePath, '').trim();
  const profiler = setting<string>(config, SETTINGS.profiler, 'inspector');
  return {
    threads: threads > 0 ? threads : undefined,
    schedule: (SCHEDULES as readonly string[]).includes(schedule) ? (schedule as Schedule) : undefined,
    sampleIntervalUs: setting<number>(config, SETTINGS.sampleIntervalUs, 1000),
    profiler: (PROFILERS as readonly string[]).includes(profiler) ? (profiler as ProfilerName) : 'inspector',
    node: nodePath || 'node',
    nodeArgs: setting<string[]>(config, SETTINGS.nodeArgs, []),
    env: setting<Record<string, string>>(config, SETTINGS.env, {}),
    reportFolder: reportFolderFor(scope),
    openReportAfterRun: setting<boolean>(config, SETTINGS.openReportAfterRun, true),
    revealOutput: revealOutput(setting<string>(config, SETTINGS.revealOutput, 'onFailure')),
  };
}

function revealOutput(value: string): RevealOutput {
  return (REVEAL_OUTPUT as readonly string[]).includes(value) ? (value as RevealOutput) : 'onFailure';
}

/** The absolute report folder for `scope`: relative settings are resolved in its workspace folder. */
export function reportFolderFor(scope?: vscode.Uri): string {
  const config = vscode.workspace.getConfiguration('parallelProfiler', scope);
  const folder = setting<string>(config, SETTINGS.reportFolder, '.parprof') || '.parprof';
  if (path.isAbsolute(folder)) return folder;
  const ws = (scope && vscode.workspace.getWorkspaceFolder(scope)) ?? vscode.workspace.workspaceFolders?.[0];
  const base = ws ? ws.uri.fsPath : scope ? path.dirname(scope.fsPath) : process.cwd();
  return path.join(base, folder);
}

/** `parallelProfiler.windowAboveSpans`: reports with more tasks open a window at a time (reportParser.ts WINDOW_ABOVE_SPANS). */
export function windowAboveSpans(scope?: vscode.Uri): number {
  const value = setting<number>(vscode.workspace.getConfiguration('parallelProfiler', scope), SETTINGS.windowAboveSpans, WINDOW_ABOVE_SPANS);
  return typeof value === 'number' && value >= 0 ? value : WINDOW_ABOVE_SPANS;
}
