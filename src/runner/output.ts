// Where a recording is written. The path is checked before the script starts (a run of minutes
// must not be lost to a typo), and if the final write still fails (disk full, the folder went
// away) the report goes to a fallback file that the caller names to the user.
import { closeSync, constants, existsSync, mkdirSync, openSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import type { Stats } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';

/** Kernel file systems: no place for a report, and `mkdir -p` under /proc never returns in Node 20. */
const SYSTEM_FOLDERS = ['/proc', '/sys', '/dev'];

function errorCode(err: unknown): string {
  return (err as NodeJS.ErrnoException).code ?? (err as Error).message;
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

function notAFile(st: Stats): string | undefined {
  if (st.isFile()) return undefined;
  if (st.isDirectory()) return 'it is a folder';
  if (st.isFIFO()) return 'it is a pipe (FIFO)';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'it is a device';
  return 'it is not a regular file';
}

/**
 * Checks that `what` (default: the report) can be written to `out` (absolute), creating its
 * missing folders one level at a time: `out` is not under /proc, /sys or /dev, not a folder,
 * device or FIFO, and a file can be opened there for writing (tried, then removed if the check
 * created it). Throws an Error of one line naming the path and the reason.
 */
export function checkOutputPath(out: string, what = 'the report'): void {
  const refuse = (reason: string): never => {
    throw new Error(`cannot write ${what} to ${out}: ${reason}`);
  };
  refuseSystemFolder(out, refuse);
  const st = statOrUndefined(out);
  if (st) {
    const why = notAFile(st);
    if (why) refuse(why);
    try {
      // Append mode and non-blocking: opens without truncating an existing report, never waits.
      closeSync(openSync(out, constants.O_WRONLY | constants.O_APPEND | (constants.O_NONBLOCK ?? 0)));
    } catch (err) {
      refuse(`cannot open it for writing (${errorCode(err)})`);
    }
    return;
  }
  makeFolders(dirname(out), refuse);
  try {
    closeSync(openSync(out, 'wx'));
  } catch (err) {
    refuse(`cannot create a file there (${errorCode(err)})`);
  }
  rmSync(out, { force: true });
}

/**
 * The folder form of checkOutputPath, for what is written as a folder of files (an export's
 * .cpuprofile files): `dir` (absolute) is not under /proc, /sys or /dev and is a folder, made
 * with its missing parents when it does not exist.
 */
export function checkOutputFolder(dir: string, what: string): void {
  const refuse = (reason: string): never => {
    throw new Error(`cannot write ${what} to ${dir}: ${reason}`);
  };
  refuseSystemFolder(dir, refuse);
  const st = statOrUndefined(dir);
  if (st) {
    if (!st.isDirectory()) refuse('it is not a folder');
    return;
  }
  makeFolders(dir, refuse);
}

function refuseSystemFolder(path: string, refuse: (reason: string) => never): void {
  if (process.platform === 'win32') return;
  const system = SYSTEM_FOLDERS.find((f) => path === f || path.startsWith(`${f}/`));
  if (system) refuse(`${system} is a system folder, not a place for files`);
}

/** Makes `dir` and its missing parents, each by a plain mkdir (bounded, unlike mkdir -p, which never returns under /proc in Node 20). */
function makeFolders(target: string, refuse: (reason: string) => never): void {
  // Missing folders, nearest last.
  const missing: string[] = [];
  let dir = target;
  for (let parentDir = dirname(dir); !statOrUndefined(dir); dir = parentDir, parentDir = dirname(dir)) {
    missing.push(dir);
    if (parentDir === dir) break;
  }
  const existing = statOrUndefined(dir);
  if (existing && !existing.isDirectory()) refuse(`${dir} is not a folder`);
  for (let k = missing.length - 1; k >= 0; k--) {
    try {
      mkdirSync(missing[k]);
    } catch (err) {
      if (errorCode(err) !== 'EEXIST') refuse(`cannot create the folder ${missing[k]} (${errorCode(err)})`);
    }
  }
}

/**
 * Writes `data` to `out` (absolute) for a command that writes one file (an HTML page, an export):
 * checked first as checkOutputPath does (its missing folders made); a write that still fails
 * throws one line naming what, where and the error code.
 */
export function writeOutputFile(out: string, what: string, data: string | Uint8Array): void {
  checkOutputPath(out, what);
  try {
    writeFileSync(out, data);
  } catch (err) {
    throw new Error(`cannot write ${what} to ${out} (${errorCode(err)})`);
  }
}

/** A file name in the OS temp folder for a report that could not be written to `out`. */
function fallbackPath(out: string, folder: string): string {
  const name = basename(out);
  const gz = name.endsWith('.gz') ? '.gz' : '';
  const stem = name.slice(0, name.length - gz.length).replace(/\.parprof$/, '') || 'report';
  return join(folder, `${stem}-${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}.parprof${gz}`);
}

export interface WrittenReport {
  /** Where the report is. */
  file: string;
  /** Set when it could not go to the requested path: that path and the error code (ENOSPC, EISDIR...). */
  unwritten?: { path: string; error: string };
}

/**
 * Writes report bytes to `out`; on failure, to a new file in the OS temp folder (then the working
 * directory), so the recording survives a full disk or a vanished folder. Throws only when every
 * place failed.
 */
export function writeReport(out: string, data: Uint8Array | string): WrittenReport {
  const existed = existsSync(out);
  try {
    // No mkdir here: checkOutputPath made the folders; one that vanished since is a failure to report.
    writeFileSync(out, data);
    return { file: out };
  } catch (err) {
    const error = errorCode(err);
    // A half-written file of ours is no report; one that was there before is not ours to delete.
    if (!existed) try { unlinkSync(out); } catch { /* nothing was created */ }
    const tried: string[] = [];
    for (const folder of [tmpdir(), process.cwd()]) {
      const file = fallbackPath(out, resolve(folder));
      try {
        writeFileSync(file, data, { flag: 'wx' });
        return { file, unwritten: { path: out, error } };
      } catch (again) {
        tried.push(`${file} (${errorCode(again)})`);
      }
    }
    throw new Error(`cannot write the report to ${out} (${error}), nor to ${tried.join(', nor to ')}`);
  }
}
