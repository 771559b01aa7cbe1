// Per-thread V8 CPU profile through an in-thread inspector session. Posts on a session connected
// in the same thread complete synchronously (their callback runs before post returns), which is
// what lets the profile be stopped and written inside a process 'exit' listener.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';
import { warn } from './recorder';

export class ThreadProfiler {
  private session: Session | undefined;

  /** Starts sampling every `intervalUs` µs. */
  start(intervalUs: number): void {
    try {
      const session = new Session();
      session.connect();
      session.post('Profiler.enable');
      session.post('Profiler.setSamplingInterval', { interval: intervalUs });
      session.post('Profiler.start');
      this.session = session;
    } catch (err) {
      warn('cannot start the CPU profiler', err);
    }
  }

  /** Stops sampling and writes profile-<threadId>.json (V8 clock, rebased by the runner). */
  stopAndWrite(spool: string, threadId: number): void {
    const session = this.session;
    if (!session) return;
    this.session = undefined;
    try {
      let written = false;
      session.post('Profiler.stop', (err, result) => {
        if (err) { warn('cannot stop the CPU profiler', err); return; }
        writeFileSync(join(spool, `profile-${threadId}.json`), JSON.stringify(result.profile));
        written = true;
      });
      if (!written) warn('CPU profile', `thread ${threadId}: Profiler.stop did not answer synchronously`);
      session.disconnect();
    } catch (err) {
      warn('cannot write the CPU profile', err);
    }
  }
}
