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
  private closed = false;
  // Preallocated: a reading allocates nothing but the descriptor (the procfs line is < 64 bytes).
  private readonly buf = new Uint8Array(96);

  constructor() {
    try {
      this.source = 'schedstat';
      if (!this.read()) this.source = undefined;
    } catch {
      const usage = (process as { threadCpuUsage?: () => { user: number; system: number } }).threadCpuUsage;
      this.source = typeof usage === 'function' ? 'threadCpuUsage' : undefined;
    }
  }

  /** Takes a reading into onCpuUs/runnableUs; false when none could be taken. */
  read(): boolean {
    if (this.source === 'schedstat') {
      if (this.closed) return false;
      // Opened per reading (every ~50 ms): /proc/thread-self resolves to the calling thread at
      // open, and no descriptor is left behind by a worker that is terminate()d without 'exit'.
      const fd = openSync(SCHEDSTAT, 'r');
      let n = 0;
      try {
        n = readSync(fd, this.buf, 0, this.buf.length, 0);
      } finally {
        closeSync(fd);
      }
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

  /** No more readings (the thread is ending, or reading failed). */
  close(): void {
    this.closed = true;
  }
}
