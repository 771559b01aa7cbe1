// The Recorder of one thread: spans into a preallocated Float64Array flushed in batches with
// synchronous writes (so a SIGKILL loses at most the last ~100 ms), point events and ELU samples
// into an NDJSON file. The runner (src/runner/spool.ts) reads both. Runs inside the user's program:
// every I/O failure is swallowed after one '[parprof]' line.
import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Region } from '../model/report';
import { SPAN_RECORD_FIELDS, type Recorder, type RegionStart } from './contract';
import type { SpoolEvent } from './recorder-events';
import { ThreadCpuClock } from './recorder-cpu';
import { OPEN_ENQUEUE, OPEN_FIRST, OPEN_INDEX, OPEN_ITEMS, OPEN_PARENT, OPEN_REGION, OPEN_START, OPEN_STOLEN_FROM,
  OPEN_TASK_FIELDS, SpanProgress, readOpenTask } from './stop-board';

/** Spans per batch; one batch is 320 KB. */
const BATCH_SPANS = 4096;
/** Longest time spans stay in memory before a write, µs. */
const FLUSH_EVERY_US = 100_000;
/** Ids are threadId * ID_STRIDE + a per-thread counter, so they are run-unique without shared memory. */
export const ID_STRIDE = 2 ** 20;
/** Wait spans (user Atomics.wait) per batch: start, end pairs. */
const BATCH_WAITS = 1024;
/** Fewest µs between two CPU-time reads at flushes (external workers flush after every message). */
const CPU_READ_EVERY_US = 20_000;
/** Least µs between two CPU readings taken at operation boundaries (a few µs each: a pread of schedstat). */
const CPU_READ_AT_BOUNDARY_US = 1_000;
/** Region key a worker uses for spans of an instrumented third-party pool; the runner resolves it. */
export const EXTERNAL_REGION = -1;

export function warn(what: string, err: unknown): void {
  try {
    process.stderr.write(`[parprof] ${what}: ${err instanceof Error ? err.message : String(err)}\n`);
  } catch { /* stderr closed: nothing left to tell */ }
}

const hrtimeUs = (): number => Number(process.hrtime.bigint()) / 1000;
const perfNowUs = (): number => performance.now() * 1000;

/** Brackets tried at most, and the width (µs) at which the anchor stops looking for a tighter one. */
const ANCHOR_TRIES = 64;
const ANCHOR_GOOD_US = 2;

/**
 * The offset (µs) that turns performance.now() µs into hrtime µs, and a bound on its error.
 * Two clock reads in a row are not one instant: a thread descheduled between them (8 ms seen
 * on an idle 2-core machine) anchors its clock off by that much, and a span stamped on one
 * thread then starts before its enqueue stamped on another. So each try brackets the
 * performance.now() read between two hrtime reads, and the narrowest bracket wins: the offset
 * is taken at its middle, off by at most half its width.
 */
export function anchorClock(hrtime: () => number, perfNow: () => number): { offsetUs: number; errorUs: number } {
  let best = Infinity;
  let offset = 0;
  for (let k = 0; k < ANCHOR_TRIES && best > ANCHOR_GOOD_US; k++) {
    const h0 = hrtime();
    const p = perfNow();
    const h1 = hrtime();
    if (h1 - h0 < best) {
      best = h1 - h0;
      offset = (h0 + h1) / 2 - p;
    }
  }
  return { offsetUs: offset, errorUs: best / 2 };
}

export class SpoolRecorder implements Recorder {
  readonly threadId: number;
  /** µs to add to performance.now()*1000 to get µs from the run origin. */
  private readonly base: number;
  /** Bound on the error of `base`, µs (half the width of the bracket it was read in). */
  readonly anchorErrorUs: number;
  private readonly buf = new Float64Array(BATCH_SPANS * SPAN_RECORD_FIELDS);
  private readonly bytes = new Uint8Array(this.buf.buffer);
  private pos = 0;
  private lastFlush = 0;
  private spanFd = -1;
  private eventFd = -1;
  private poolCounter = 0;
  private regionCounter = 0;
  private droppedSpans = 0;
  private eluT: number[] = [];
  private eluU: number[] = [];
  private lastElu = performance.eventLoopUtilization();
  private timer: ReturnType<typeof setInterval> | undefined;
  private closed = false;
  private readonly cpu = new ThreadCpuClock();
  private cpuT: number[] = [];
  private cpuOn: number[] = [];
  private cpuWait: number[] = [];
  private lastCpuRead = -Infinity;
  private readonly waits = new Float64Array(BATCH_WAITS * 2);
  private readonly waitBytes = new Uint8Array(this.waits.buffer);
  private waitPos = 0;
  private waitFd = -1;
  private droppedWaits = 0;
  /** Runs after each flush made outside an interrupt (a span's, a wait's, the timer's): see atSafePoints. */
  private safePoint: (() => void) | undefined;
  /** The thread is about to be stopped: every span is written as it ends (see flushEachSpan). */
  private flushingEachSpan = false;
  /** The thread's on-CPU µs read at or just before its last flush (NaN: no reading). */
  private onCpuAtFlush = NaN;
  /** How many span records this thread holds unwritten, in shared memory, for its creator (stop-board.ts). */
  private readonly progress: SpanProgress;
  private progressWords: Int32Array;
  private progressAt: number;
  /** The task this thread runs now, if any (stop-board.ts): in shared memory for a worker, so that its creator sees it if the worker dies inside it. */
  private openTask: Float64Array;
  private openAt: number;

  constructor(readonly spool: string, threadId: number, originUs: number) {
    this.threadId = threadId;
    // performance.now() and hrtime read the same monotonic clock; performance.now() is cheaper
    // and allocates nothing, so it is the hot-path clock, anchored once to hrtime here.
    const anchor = anchorClock(hrtimeUs, perfNowUs);
    this.base = anchor.offsetUs - originUs;
    this.anchorErrorUs = anchor.errorUs;
    this.progress = new SpanProgress(threadId);
    this.progressWords = this.progress.words;
    this.progressAt = this.progress.at;
    this.openTask = this.progress.openTask;
    this.openAt = this.progress.openAt;
    try {
      this.spanFd = openSync(join(spool, `spans-${threadId}.bin`), 'a');
      this.eventFd = openSync(join(spool, `events-${threadId}.ndjson`), 'a');
    } catch (err) {
      warn(`cannot open spool files in ${spool}`, err);
    }
    this.lastFlush = this.now();
    this.sampleCpu();
    if (this.cpuT.length > 0) this.onCpuAtFlush = this.cpu.onCpuUs;
  }

  now(): number {
    return performance.now() * 1000 + this.base;
  }

  newPoolId(): number {
    return this.threadId * ID_STRIDE + this.poolCounter++;
  }

  beginRegion(info: RegionStart): number {
    const key = this.threadId * ID_STRIDE + this.regionCounter++;
    this.event({ e: 'region', key, info });
    this.readCpuAtBoundary();
    return key;
  }

  endRegion(key: number, outcome: Region['outcome'], end: number): void {
    this.event({ e: 'regionEnd', key, outcome, end });
    this.readCpuAtBoundary();
  }

  /**
   * A CPU reading where an operation or a task starts or ends, a worker was just created, a child
   * process spawned or a profile chunk was cut (at most one per CPU_READ_AT_BOUNDARY_US): the
   * model spreads CPU time linearly between readings, so without one the main thread's serial
   * work before an operation was blended into the operation's first tasks (a sequential run's
   * region read 540 ms of work for 400 planted, and compare's critical path with it).
   */
  readCpuAtBoundary(): void {
    if (this.now() - this.lastCpuRead >= CPU_READ_AT_BOUNDARY_US) this.sampleCpu();
  }

  /**
   * now(), for a task's start, with a CPU reading when the last is older than
   * CPU_READ_AT_BOUNDARY_US: else a task after an idle wait had its work spread over the wait by
   * the model's interpolation (a 300 ms static chunk read 320 ms of work at load).
   */
  taskStart(): number {
    const t = this.now();
    if (t - this.lastCpuRead >= CPU_READ_AT_BOUNDARY_US) this.sampleCpu();
    return t;
  }

  /**
   * taskStart() for a task of the pool, which is open from here until its span(): its fields
   * known at its start go into the open-task words (eight plain stores, no allocation), so that a
   * thread stopped or dying inside it still has it recorded, cut off (cutOpenTask, takeOpenTask).
   */
  taskBegin(region: number, index: number, first: number, items: number, enqueue: number, stolenFrom: number, parent: number): number {
    const start = this.taskStart();
    const o = this.openTask;
    const at = this.openAt;
    o[at + OPEN_REGION] = region; o[at + OPEN_INDEX] = index; o[at + OPEN_FIRST] = first; o[at + OPEN_ITEMS] = items;
    o[at + OPEN_ENQUEUE] = enqueue; o[at + OPEN_STOLEN_FROM] = stolenFrom; o[at + OPEN_PARENT] = parent;
    o[at + OPEN_START] = start;
    return start;
  }

  /**
   * The thread is being stopped (saved before its termination, or its 'exit' listener runs)
   * while a task is open: the task is written as cut off at `end` (a 'cutTask' event). Should it
   * end after all, its span is written too, and the report keeps that one. `stillOpen`: the thread
   * runs on inside the task (saved before its termination), so the task stays on the task board,
   * where its creator cuts it again when it stops waiting and ends the thread (WorkerSaver); the
   * report keeps the later cut.
   */
  cutOpenTask(end: number, stillOpen = false): void {
    const task = readOpenTask(this.openTask, this.openAt);
    if (!task) return;
    if (!stillOpen) this.openTask[this.openAt + OPEN_START] = NaN;
    this.event({ e: 'cutTask', tid: this.threadId, ...task, end: Math.max(end, task.start) });
  }

  span(region: number, index: number, first: number, items: number, enqueue: number, start: number,
    end: number, stolenFrom: number, parent: number, failed: number): void {
    this.openTask[this.openAt + OPEN_START] = NaN;
    const b = this.buf;
    let p = this.pos;
    b[p++] = region; b[p++] = index; b[p++] = first; b[p++] = items; b[p++] = enqueue;
    b[p++] = start; b[p++] = end; b[p++] = stolenFrom; b[p++] = parent; b[p++] = failed;
    this.pos = p;
    this.progressWords[this.progressAt] = p;
    // A CPU reading at the task's end, as taskStart takes one at its start (readCpuAtBoundary).
    if (end - this.lastCpuRead >= CPU_READ_AT_BOUNDARY_US) this.sampleCpu();
    // `end` is (almost) now, so the age check costs no clock read. Once the thread is about to be
    // stopped, lastFlush stays -Infinity: every span takes this branch (see flushEachSpan).
    if (p === b.length || end - this.lastFlush >= FLUSH_EVERY_US) {
      this.flush();
      if (this.safePoint) this.safePoint();
    }
  }

  /**
   * `fn` runs after every flush made by a span, a wait or the timer: points outside any
   * interrupt, right after a write, where terminate-save.ts may have the thread save and hold
   * still until its termination. Held there, a thread stopped loses no span it finished.
   */
  atSafePoints(fn: () => void): void {
    this.safePoint = fn;
  }

  /**
   * On-CPU µs since the last flush (wall µs where the platform gives no thread CPU time): a thread
   * inside one long task has run that long without a span or a timer tick. CPU time, so that a
   * thread that only waited for a core is not taken for one in a long task.
   */
  busyUsSinceFlush(): number {
    try {
      if (this.cpu.source && Number.isFinite(this.onCpuAtFlush) && this.cpu.read()) return this.cpu.onCpuUs - this.onCpuAtFlush;
    } catch { /* no reading: wall time below */ }
    return this.now() - this.lastFlush;
  }

  /** The thread saved and is about to be stopped: from now on every span and wait is written as it ends, and reaches the safe point. */
  flushEachSpan(): void {
    this.flushingEachSpan = true;
    this.lastFlush = -Infinity;
  }

  workerJoined(threadId: number, pool: number, name: string): void {
    this.event({ e: 'joined', tid: threadId, pool, name });
  }

  workerReady(threadId: number, pool: number, created: number, ready: number): void {
    this.event({ e: 'workerReady', tid: threadId, pool, created, ready });
  }

  marker(kind: 'error' | 'note' | 'cancelled', message: string, stack?: string): void {
    this.event({ e: 'marker', t: this.now(), kind, message, stack });
  }

  /**
   * One blocking Atomics.wait of the user's code on this thread (start, end: µs from origin).
   * Hot path: no allocation; written in batches with the spans.
   */
  wait(start: number, end: number): void {
    const p = this.waitPos;
    this.waits[p] = start;
    this.waits[p + 1] = end;
    this.waitPos = p + 2;
    if (this.waitPos === this.waits.length || end - this.lastFlush >= FLUSH_EVERY_US) {
      this.flush();
      if (this.safePoint) this.safePoint();
    }
  }

  /** Reads the thread's CPU time now; written as a 'cpu' event at the next flush. */
  sampleCpu(): void {
    try {
      if (!this.cpu.source || !this.cpu.read()) return;
    } catch (err) {
      this.cpu.close();
      warn('cannot read the thread CPU time', err);
      return;
    }
    const t = this.now();
    this.lastCpuRead = t;
    this.cpuT.push(t);
    this.cpuOn.push(this.cpu.onCpuUs);
    this.cpuWait.push(this.cpu.runnableUs);
  }

  flush(): void {
    const now = this.now();
    this.lastFlush = this.flushingEachSpan ? -Infinity : now;
    // Spans first: a thread stopped mid-flush (its process exiting) keeps the spans at least.
    this.flushSpans();
    if (this.waitPos > 0) this.flushWaits();
    if (this.eluT.length > 0) {
      const t = this.eluT;
      const u = this.eluU;
      this.eluT = [];
      this.eluU = [];
      this.event({ e: 'elu', t, u });
    }
    if (now - this.lastCpuRead >= CPU_READ_EVERY_US) this.sampleCpu();
    if (this.cpuT.length > 0) {
      this.onCpuAtFlush = this.cpu.onCpuUs;
      const t = this.cpuT, on = this.cpuOn, wait = this.cpuWait;
      this.cpuT = [];
      this.cpuOn = [];
      this.cpuWait = [];
      this.event({ e: 'cpu', source: this.cpu.source!, t, on, ...(this.cpu.source === 'schedstat' ? { wait } : {}) });
    }
  }

  private flushSpans(): void {
    if (this.pos === 0) return;
    const n = this.pos * 8;
    this.pos = 0;
    // The oldest records may have been counted as dropped by this thread's creator, which gave up on it.
    let off = Math.min(n, this.progress.beginFlush() * 8 * SPAN_RECORD_FIELDS);
    if (this.spanFd < 0) {
      this.droppedSpans += Math.ceil((n - off) / (8 * SPAN_RECORD_FIELDS));
    } else {
      try {
        while (off < n) off += writeSync(this.spanFd, this.bytes, off, n - off);
      } catch (err) {
        // A record cut in two is lost too.
        this.droppedSpans += Math.ceil((n - off) / (8 * SPAN_RECORD_FIELDS));
        warn('cannot write spans', err);
      }
    }
    this.progress.endFlush();
  }


  private flushWaits(): void {
    const n = this.waitPos * 8;
    this.waitPos = 0;
    // Opened at the first wait: most threads never block, and need no file.
    if (this.waitFd === -1 && !this.closed) {
      try {
        this.waitFd = openSync(join(this.spool, `waits-${this.threadId}.bin`), 'a');
      } catch (err) {
        this.waitFd = -2;
        warn('cannot open the wait spool file', err);
      }
    }
    if (this.waitFd < 0) {
      this.droppedWaits += n / 16;
      return;
    }
    try {
      let off = 0;
      while (off < n) off += writeSync(this.waitFd, this.waitBytes, off, n - off);
    } catch (err) {
      this.droppedWaits += n / 16;
      warn('cannot write wait spans', err);
    }
  }

  /** Appends one event line now: events are rare and must survive a kill that follows them. */
  event(ev: SpoolEvent): void {
    if (this.eventFd < 0 || this.closed) return;
    try {
      writeSync(this.eventFd, JSON.stringify(ev) + '\n');
    } catch (err) {
      warn('cannot write an event', err);
    }
  }

  /** Samples event-loop utilization and flushes old spans; unref'd so it never keeps a thread alive. */
  startTimer(periodMs = 50): void {
    this.timer = setInterval(() => {
      try {
        this.sampleElu();
        this.sampleCpu();
        if (this.now() - this.lastFlush >= FLUSH_EVERY_US) this.flush();
        if (this.safePoint) this.safePoint();
      } catch (err) {
        warn('timer', err);
      }
    }, periodMs);
    this.timer.unref();
  }

  sampleElu(): void {
    const cur = performance.eventLoopUtilization();
    const d = performance.eventLoopUtilization(cur, this.lastElu);
    this.lastElu = cur;
    this.eluT.push(this.now());
    this.eluU.push(Math.max(0, Math.min(1, d.utilization)));
  }

  /** Last words of the thread: final ELU window, spans, the end event. Idempotent. */
  close(end: SpoolEvent): void {
    if (this.closed) return;
    if (this.timer) clearInterval(this.timer);
    // process.exit() inside a task, or the signal that stops the script: the task ends with the thread.
    this.cutOpenTask(this.now());
    try { this.sampleElu(); } catch { /* no loop to measure */ }
    this.sampleCpu();
    this.flush();
    if (this.droppedSpans > 0 || this.droppedWaits > 0) this.event({ e: 'dropped', spans: this.droppedSpans, ...(this.droppedWaits > 0 ? { waits: this.droppedWaits } : {}) });
    this.event(end);
    this.closed = true;
    // The slot may go to another thread: later spans (counted as dropped) store nowhere shared.
    this.progress.release();
    this.progressWords = new Int32Array(1);
    this.progressAt = 0;
    this.openTask = new Float64Array(OPEN_TASK_FIELDS).fill(NaN);
    this.openAt = 0;
    this.cpu.close();
    for (const fd of [this.spanFd, this.eventFd, this.waitFd]) {
      try { if (fd >= 0) closeSync(fd); } catch { /* already closed */ }
    }
    // Spans that still arrive (another 'exit' listener running tasks) count as dropped.
    this.spanFd = -1;
    this.eventFd = -1;
    this.waitFd = -1;
  }
}
