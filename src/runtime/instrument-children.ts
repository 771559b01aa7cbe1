// Records, on the thread that starts them, when the script's child processes were spawned and how
// they ended. Every way of starting one (spawn, fork, exec, execFile, cluster.fork) goes through
// ChildProcess.prototype.spawn (spawnSync does not: its children record their own spool but have
// no spawn time or exit status). A node child records its own threads into a folder of its own
// (preload.ts processSpool); these events give the runner its spawn time on the parent's clock and
// its exit code or signal, which the child cannot write when it is killed.
import type * as ChildProcessModule from 'node:child_process';
import { warn, type SpoolRecorder } from './recorder';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const cp = require('node:child_process') as typeof ChildProcessModule;

const PATCHED = Symbol.for('parallel-profiler.childProcessesPatched');

export function instrumentChildProcesses(rec: SpoolRecorder): void {
  const proto = cp.ChildProcess.prototype as ChildProcessModule.ChildProcess & { [PATCHED]?: boolean; spawn(options: unknown): unknown };
  if (proto[PATCHED]) return;
  const original = proto.spawn;
  Object.defineProperty(proto, PATCHED, { value: true, enumerable: false });
  proto.spawn = function (this: ChildProcessModule.ChildProcess, options: unknown): unknown {
    const t = rec.now();
    const result = original.call(this, options);
    // A CPU reading at the spawn: what the parent runs while its child lives is not blended with what came before.
    rec.readCpuAtBoundary();
    try {
      const pid = this.pid;
      if (typeof pid === 'number') {
        const o = options as { file?: unknown; args?: unknown };
        const args = Array.isArray(o?.args) ? o.args.map(String) : [];
        rec.event({ e: 'childSpawn', t, pid, file: typeof o?.file === 'string' ? o.file : '', args });
        // Events are written at once (a synchronous append): nothing to flush.
        this.once('exit', (code: number | null, signal: NodeJS.Signals | null) => {
          try {
            rec.event({ e: 'childExit', t: rec.now(), pid, code, signal });
          } catch (err) {
            warn('cannot record a child process exit', err);
          }
        });
      }
    } catch (err) {
      warn('cannot record a child process', err);
    }
    return result;
  };
  // A child its parent ends with kill() (a pool's shutdown: vitest's forks, tinypool's process
  // workers, cluster's worker.kill()) was stopped by its owner, as a terminate()d worker thread is:
  // the parent says so, since the child sees only the signal.
  const kill = proto.kill;
  proto.kill = function (this: ChildProcessModule.ChildProcess, ...args: unknown[]): boolean {
    try {
      const pid = this.pid;
      if (typeof pid === 'number' && this.exitCode === null && this.signalCode === null) {
        const signal = args[0] === undefined ? 'SIGTERM' : String(args[0]);
        rec.event({ e: 'childKill', t: rec.now(), pid, signal });
      }
    } catch (err) {
      warn('cannot record a child process kill', err);
    }
    return (kill as (...a: unknown[]) => boolean).apply(this, args);
  };
}
