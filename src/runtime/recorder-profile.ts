// Per-thread V8 CPU profile, written in chunks of ~250 ms (ENV.profileChunkMs) so that a
// process that dies any way at all (SIGKILL, process.exit() elsewhere, terminate(), a cancelled
// infinite loop) keeps every chunk written before. Each line of profile-<threadId>.ndjson is
// {seq, final, profile}; `final`: the thread's profile ends there (it ended, or saved before
// termination). The runner stitches a thread's chunks into one profile
// (src/runner/profile-chunks.ts).
//
// A chunk is a titled console profile of an in-thread inspector session: the next chunk's
// profile starts before the current one ends, so the sampler never stops and no sample falls
// between two chunks (the few taken in the overlap are in both; the runner keeps them once).
// Profiler.stop + Profiler.start would cost 11 ms (Node 20) to 32 ms (Node 24) a chunk, since a
// restarted profiler logs every existing function again; a cut costs ~0.3 ms.
//
// Posts on a session connected in the same thread complete synchronously (the event is
// delivered before console.profileEnd returns), which is what lets a chunk be cut in an 'exit'
// listener or inside an inspector interrupt (a cut asked by the profile nudger, profile-nudger.ts,
// while the thread runs JavaScript that never yields).
import { closeSync, openSync, writeSync } from 'node:fs';
import * as inspector from 'node:inspector';
import { join } from 'node:path';
import { warn } from './recorder';

/** Default chunk length, ms (ENV.profileChunkMs): the most a kill can take from a thread. */
export const DEFAULT_CHUNK_MS = 250;
/**
 * Cadence, for a chunk length C: the nudger (profile-nudger.ts) asks every thread every C ms and
 * a thread cuts when its chunk is at least C / 2 old, so a busy thread's chunks are ~C long; a
 * thread also looks at its chunk's age every C / 5 ms on its own timer and cuts from C on (when
 * the nudger is off or missed it). A chunk is cut by C (+ C / 5 on the thread's own timer) plus
 * the time the thread takes to be scheduled and serve the ask.
 */
const NUDGE_AGE_SHARE = 0.5;
const CHECK_SHARE = 0.2;
/** Title prefix of our console profiles; a user's own console.profile titles are left alone. */
const TITLE = 'parprof-chunk-';
/** Where the thread's cut function lives (non-enumerable global), for the nudger's Runtime.evaluate. */
export const CUT_KEY = 'parallel-profiler.cutProfileChunk';

interface Finished { params: { title: string; profile: { samples: unknown[]; startTime: number; endTime: number } } }

/** A chunk written: its V8-clock span (µs) and sample count. Returned by the cut function, for tests that watch chunks. */
export interface ChunkWritten { start: number; end: number; samples: number }

export class ThreadProfiler {
  private session: inspector.Session | undefined;
  private fd = -1;
  private seq = 0;
  private title = '';
  private ending = '';
  private finished: Finished['params']['profile'] | undefined;
  private lastCut = 0;
  private cutting = false;
  private timer: ReturnType<typeof setInterval> | undefined;
  private chunkMs = DEFAULT_CHUNK_MS;
  /** Samples of chunks that could not be written (counted exactly: the chunk was in hand). */
  droppedSamples = 0;
  /** Runs on every ask from outside (the main thread's: it asks its workers in turn, profile-nudger.ts). */
  onAsked: (() => void) | undefined;
  /** Runs each time a chunk has been cut (the main thread's: the nudger's helper watches when). */
  onCut: (() => void) | undefined;

  /**
   * Starts sampling every `intervalUs` µs into chunks of ~`chunkMs` appended to
   * `<spool>/profile-<threadId>.ndjson`; `chunkMs` 0: one chunk, written at the end.
   */
  start(intervalUs: number, spool: string, threadId: number, chunkMs: number): void {
    this.chunkMs = chunkMs;
    try {
      this.fd = openSync(join(spool, `profile-${threadId}.ndjson`), 'a');
      const session = new inspector.Session();
      session.connect();
      session.on('Profiler.consoleProfileFinished', (m: Finished) => {
        if (m.params.title === this.ending) this.finished = m.params.profile;
      });
      session.post('Profiler.enable');
      session.post('Profiler.setSamplingInterval', { interval: intervalUs });
      this.session = session;
      this.begin();
      this.lastCut = performance.now();
      if (chunkMs <= 0) return;
      this.timer = setInterval(() => this.cutIfOlder(chunkMs), Math.max(1, Math.round(chunkMs * CHECK_SHARE)));
      this.timer.unref();
      Object.defineProperty(globalThis, Symbol.for(CUT_KEY), { value: () => this.nudged(), enumerable: false, configurable: true });
    } catch (err) {
      warn('cannot start the CPU profiler', err);
    }
  }

  /**
   * Before the thread blocks in Atomics.wait (called by the wait wrapper, outside any interrupt):
   * a chunk cannot be cut during the wait, so what the thread sampled before it goes to disk now
   * (if the chunk is at least half a chunk old; at most 2 cuts per chunk length).
   */
  cutBeforeBlocking(): void {
    if (this.chunkMs > 0 && this.session && !this.cutting) this.cutIfOlder(this.chunkMs * NUDGE_AGE_SHARE);
  }

  /** Cuts the current chunk if it is at least `ms` old. */
  cutIfOlder(ms: number): void {
    if (performance.now() - this.lastCut >= ms) this.cut(false);
  }

  /**
   * Asked from outside (an inspector interrupt). Not inside Atomics.wait: ending a profile in the
   * interrupt that woke a wait, then being terminated, aborts Node 20 (terminate-save.ts); the
   * samples of a thread blocked in a wait are cut when it returns to JavaScript.
   */
  private nudged(): ChunkWritten | undefined {
    // Not inside a cut of this thread's (an ask that interrupted console.profileEnd): the next ask passes it on.
    if (!this.cutting) try { this.onAsked?.(); } catch (err) { warn('cannot pass on the profile nudge', err); }
    // Cheapest checks first: an ask should be over in microseconds when nothing is to be cut (a
    // terminate() that lands inside an inspector interrupt is lost: see profile-nudger.ts).
    if (!this.session || this.cutting || performance.now() - this.lastCut < this.chunkMs * NUDGE_AGE_SHARE || inAtomicsWait()) return undefined;
    return this.cut(false);
  }

  /** Ends the current chunk and writes it; `final`: no new chunk starts. Returns what was written, if anything. */
  private cut(final: boolean): ChunkWritten | undefined {
    if (!this.session || this.title === '' || this.cutting) return undefined;
    this.cutting = true;
    try {
      this.ending = this.title;
      this.finished = undefined;
      const seq = this.seq - 1;
      if (final) this.title = '';
      else this.begin();
      inspector.console.profileEnd(this.ending);
      const profile = this.finished as Finished['params']['profile'] | undefined;
      this.finished = undefined;
      this.lastCut = performance.now();
      this.onCut?.();
      // A user's console.profileEnd() without a title ends the last profile started, ours: the
      // runner sees the missing seq and reports that interval as lost.
      if (!profile) return undefined;
      const line = `{"seq":${seq},"final":${final},"profile":${JSON.stringify(profile)}}\n`;
      try {
        let off = 0;
        const bytes = Buffer.from(line);
        while (off < bytes.length) off += writeSync(this.fd, bytes, off, bytes.length - off);
        return { start: profile.startTime, end: profile.endTime, samples: profile.samples.length };
      } catch (err) {
        this.droppedSamples += profile.samples.length;
        warn('cannot write a CPU profile chunk', err);
        return undefined;
      }
    } finally {
      this.cutting = false;
    }
  }

  private begin(): void {
    this.title = `${TITLE}${this.seq++}`;
    inspector.console.profile(this.title);
  }

  /**
   * Cutting or ending a chunk right now: a save request that interrupted it (an inspector
   * interrupt runs inside console.profileEnd's synchronous event delivery) must wait.
   */
  get busy(): boolean {
    return this.cutting;
  }

  /**
   * Writes the last chunk and stops sampling (thread exit, or saving before terminate()). Not
   * while a cut is under way (`busy`): this would close the file under it and lose the chunk.
   */
  stopAndWrite(): void {
    const session = this.session;
    if (!session || this.cutting) return;
    if (this.timer) clearInterval(this.timer);
    try {
      if (!this.cut(true)) warn('CPU profile', 'the last chunk could not be written');
    } catch (err) {
      warn('cannot write the CPU profile', err);
    }
    this.session = undefined;
    try {
      session.disconnect();
      closeSync(this.fd);
    } catch { /* already closed */ }
  }
}

/**
 * Whether this code runs inside an interrupt taken while the thread is blocked in Atomics.wait
 * (V8 keeps the waiting frame on the stack: `at Atomics.wait (<anonymous>)`). The user's
 * Error.prepareStackTrace and stackTraceLimit are set aside for the look.
 */
export function inAtomicsWait(): boolean {
  const E = Error as ErrorConstructor & { prepareStackTrace?: unknown };
  const limit = E.stackTraceLimit;
  const prepare = E.prepareStackTrace;
  try {
    E.stackTraceLimit = Infinity;
    E.prepareStackTrace = (_: Error, sites: NodeJS.CallSite[]): NodeJS.CallSite[] => sites;
    const sites = new Error().stack as unknown as NodeJS.CallSite[];
    return sites.some((s) => /\bAtomics\.wait\b/.test(String(s)));
  } catch {
    return true; // unsure: not cutting is the safe side
  } finally {
    E.stackTraceLimit = limit;
    E.prepareStackTrace = prepare;
  }
}
