// Whether what a script started is still running, once its main process has exited. A zombie is
// not running: it holds no pipe, uses no CPU, and no signal reaches it; only its parent can reap
// it. A child orphaned by the script's exit (esbuild's service process, started by the .ts hook of
// every TypeScript run) is re-parented to PID 1, and a PID 1 that reaps late kept the group
// "alive": 1.5-2 s after every .ts run on a Firecracker VM (its init reaps orphans every ~2 s), the
// whole SIGTERM grace plus a second under a PID 1 that never reaps (a container without --init).

import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** Per group, the members last seen running: polls read only their /proc entries until they end. */
const lastSeen = new Map<number, number[]>();

/**
 * Whether process group `pgid` has a member that is not a zombie. Where there is no /proc (macOS,
 * where launchd reaps orphans at once) or it shows another PID namespace, any member counts.
 * Cost: one pass over /proc (~160 processes: 5-50 ms of CPU, the most on a loaded machine) when the
 * group exists, then, while its members run, one small read per member and poll.
 */
export function groupAlive(pgid: number, proc = '/proc'): boolean {
  try {
    process.kill(-pgid, 0);
  } catch (err) {
    lastSeen.delete(pgid);
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  if (lastSeen.get(pgid)?.some((pid) => running(proc, String(pid), pgid))) return true;
  const live = liveMembers(pgid, proc);
  if (live === undefined) return true;
  lastSeen.delete(pgid);
  if (live.length === 0) return false;
  lastSeen.set(pgid, live);
  if (lastSeen.size > 16) lastSeen.delete(lastSeen.keys().next().value as number);
  return true;
}

/** The state and process group of a /proc/<pid>/stat line; undefined if it is not one. */
export function statFields(stat: string): { state: string; pgrp: number } | undefined {
  // The command name (in parentheses) may hold spaces and ')': the fields follow the last ')'.
  const close = stat.lastIndexOf(')');
  if (close < 0) return undefined;
  const fields = stat.slice(close + 2).split(' ');
  const pgrp = Number(fields[2]);
  return fields[0] && Number.isInteger(pgrp) ? { state: fields[0], pgrp } : undefined;
}

/** Whether process `pid` is in group `pgid` and neither a zombie (Z) nor dead (X). */
function running(proc: string, pid: string, pgid: number): boolean {
  let stat: string;
  try {
    stat = readFileSync(`${proc}/${pid}/stat`, 'latin1');
  } catch {
    return false; // gone meanwhile
  }
  const f = statFields(stat);
  return f !== undefined && f.pgrp === pgid && f.state !== 'Z' && f.state !== 'X';
}

/**
 * The members of group `pgid` that /proc lists as running; undefined when /proc cannot tell
 * (absent, or not this process's PID namespace).
 */
function liveMembers(pgid: number, proc: string): number[] | undefined {
  let names: string[];
  try {
    // /proc/self is this process only in our own PID namespace.
    if (Number(readFileSync(`${proc}/self/stat`, 'latin1').split(' ', 1)[0]) !== process.pid) return undefined;
    names = readdirSync(proc);
  } catch {
    return undefined;
  }
  const live: number[] = [];
  for (const name of names) {
    const c = name.charCodeAt(0);
    if (c >= 48 && c <= 57 && running(proc, name, pgid)) live.push(Number(name));
  }
  return live;
}

/**
 * What ends process group `pgid` if the runner dies without ending it (kill -9 of `parprof
 * record`, a crashed extension host): the script is spawned in its own group, out of reach of what
 * killed the runner, and would run on. A shell outside the group (its own session, so a Ctrl-C or
 * a closed terminal does not reach it) blocks in `read` on a pipe whose other end only the runner
 * holds: when the runner dies the kernel closes it, `read` returns, and the shell does what the
 * runner's cancel does: SIGTERM to the group (the recorders save, as at any SIGTERM), SIGKILL
 * after `graceMs` for what did not end (a main thread spinning in a loop never runs its SIGTERM
 * listener). Outside the script's process: no thread, fd or timer in the user's program, and it
 * works whatever the script's main thread is doing. Costs one idle shell per run; `stop()` ends
 * it once the runner has ended the group itself. Not on Windows (no process groups there).
 */
export function endGroupWhenRunnerDies(pgid: number, graceMs: number): { stop(): void } {
  const none = { stop(): void { /* no guard */ } };
  if (process.platform === 'win32') return none;
  // `kill -s SIG -- -PGID`: the one spelling dash (Debian's sh) and bash both take for a group.
  const ticks = Math.max(1, Math.ceil(graceMs / 100));
  const script = `read -r _; kill -s TERM -- -"$1" 2>/dev/null || exit 0; i=0; `
    + `while [ "$i" -lt ${ticks} ] && kill -s 0 -- -"$1" 2>/dev/null; do sleep 0.1; i=$((i + 1)); done; kill -s KILL -- -"$1" 2>/dev/null; exit 0`;
  let guard: ChildProcess;
  try {
    guard = spawn('/bin/sh', ['-c', script, 'parprof-orphan-guard', String(pgid)], { detached: true, stdio: ['pipe', 'ignore', 'ignore'] });
  } catch (err) {
    process.stderr.write(`[parprof] cannot guard against being killed (the script would outlive it): ${(err as Error).message}\n`);
    return none;
  }
  guard.on('error', (err) => process.stderr.write(`[parprof] cannot guard against being killed (the script would outlive it): ${err.message}\n`));
  // Neither the guard nor its pipe keeps the runner alive.
  guard.unref();
  (guard.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  return {
    stop(): void {
      // SIGKILL, not closing the pipe: an EOF is what tells the guard to end the group.
      try { guard.kill('SIGKILL'); } catch { /* already gone */ }
    },
  };
}
