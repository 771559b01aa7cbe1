// The calling thread's own CPU time, read by the recorder at its batch flushes and its timer
// (never per span). Linux: /proc/thread-self/schedstat, three numbers for the calling thread —
// ns on a CPU, ns runnable but waiting on a run queue, timeslices. Elsewhere, where Node has
// process.threadCpuUsage() (Node ≥ 23.9): on-CPU µs only. Otherwise nothing: no number rather
// than a process-wide one that would be wrong for a thread.
import { closeSync, openSync, readSync } from 'node:fs';

export type CpuSource = 'schedstat' | 'threadCpuUsage';

const SCHEDSTAT = '/proc/thread-self/schedstat';

export class ThreadCpuClock {
  /** Where readings come from; undefined when this platform gives no per-thread CPU time. */
  readonly source: CpuSource | undefined;
  /** Last reading, cumulative since the thread was created, µs. */
  onCpuUs = 0;
  /** µs runnable but waiting for a CPU (schedstat only; NaN otherwise). */
  runnableUs = NaN;
  private fd = -1;
  // Preallocated: a reading allocates nothing (the procfs line is < 64 bytes).
  private readonly buf = new Uint8Array(96);

  constructor() {
    try {
      // /proc/thread-self resolves at open: the descriptor stays bound to this thread.
      this.fd = openSync(SCHEDSTAT, 'r');
      this.source = 'schedstat';
      if (!this.read()) { this.close(); this.source = undefined; }
    } catch {
      this.fd = -1;
      const usage = (process as { threadCpuUsage?: () => { user: number; system: number } }).threadCpuUsage;
      this.source = typeof usage === 'function' ? 'threadCpuUsage' : undefined;
    }
  }

  /** Takes a reading into onCpuUs/runnableUs; false when none could be taken. */
  read(): boolean {
    if (this.source === 'schedstat') {
      if (this.fd < 0) return false;
      const n = readSync(this.fd, this.buf, 0, this.buf.length, 0);
      // Two decimal numbers of ns; parsed by hand to stay allocation-free.
      let i = 0, on = 0, wait = 0;
      const b = this.buf;
      while (i < n && b[i] >= 48 && b[i] <= 57) on = on * 10 + (b[i++] - 48);
      if (i === 0 || b[i] !== 32) return false;
      i++;
      const w0 = i;
      while (i < n && b[i] >= 48 && b[i] <= 57) wait = wait * 10 + (b[i++] - 48);
      if (i === w0) return false;
      this.onCpuUs = on / 1000;
      this.runnableUs = wait / 1000;
      return true;
    }
    if (this.source === 'threadCpuUsage') {
      const u = (process as unknown as { threadCpuUsage: () => { user: number; system: number } }).threadCpuUsage();
      this.onCpuUs = u.user + u.system;
      return true;
    }
    return false;
  }

  close(): void {
    try { if (this.fd >= 0) closeSync(this.fd); } catch { /* already closed */ }
    this.fd = -1;
  }
}
