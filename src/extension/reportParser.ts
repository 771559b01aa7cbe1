// Reads report files off the extension host's thread. A report can come from anywhere (a cloned
// repository, a download): each file is read, validated and analysed in a worker thread of its
// own (reportParserWorker.ts) with a heap limit and a time limit, so a hostile file (huge, slow,
// or one that some check misses) costs that worker, never the host that every extension shares.
// A fresh worker per file: its memory goes back when it ends, whatever the file did to it.
import { Worker } from 'node:worker_threads';
import * as path from 'node:path';
import type { Report } from '../model/report';
import type { RunMetrics } from '../model/analysis';
import type { RunEntry } from '../model/run-views';

export type ParseRequest = { file: string; want: 'report' | 'entry' };

/** What the Runs view keeps of a report: the inputs of its entry (src/model/run-views.ts runEntry). */
export type EntryInputs = { slim: Parameters<typeof import('../model/run-views').runEntry>[0]; numbers: { wallMs: number; utilization: number; imbalance: number } };

export type ParseReply =
  | { ok: true; want: 'report'; report: Report; metrics: RunMetrics }
  | ({ ok: true; want: 'entry' } & EntryInputs)
  | { ok: false; message: string };

export interface ParseLimits {
  /** Heap of the worker's old generation, MiB (Worker resourceLimits.maxOldGenerationSizeMb). */
  memoryMb: number;
  /** Longest a file may take to read, validate and analyse, ms. */
  timeMs: number;
  /** Files read at once (each in its own worker). */
  concurrency: number;
}

/**
 * 3 GiB: the largest valid reports (10 million spans, packed) take about 2.8 GB to build, and
 * reading one takes less; a file that needs more is refused rather than read. 2 minutes: a
 * 10M-span report reads in well under a minute on a loaded 2-core machine. 2 at once: the
 * Runs view asks for every file of the report folder together.
 */
export const PARSE_LIMITS: ParseLimits = { memoryMb: 3072, timeMs: 120_000, concurrency: 2 };

export type { RunEntry };

export class ReportParser {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly workers = new Set<Worker>();

  constructor(private readonly workerFile: string, private readonly limits: ParseLimits = PARSE_LIMITS) {}

  /** Files being read right now (workers running), for tests and diagnostics. */
  get inFlight(): number {
    return this.running;
  }

  /** The report in `file` and its metrics. Rejects with one line naming the file and the problem. */
  async report(file: string): Promise<{ report: Report; metrics: RunMetrics }> {
    const reply = await this.parse({ file, want: 'report' });
    if (reply.want !== 'report') throw new Error(`${path.basename(file)}: the report reader answered with ${reply.want}`);
    return { report: reply.report, metrics: reply.metrics };
  }

  /** Only what a Runs view entry shows of the report in `file`. */
  async entry(file: string): Promise<EntryInputs> {
    const reply = await this.parse({ file, want: 'entry' });
    if (reply.want !== 'entry') throw new Error(`${path.basename(file)}: the report reader answered with ${reply.want}`);
    return { slim: reply.slim, numbers: reply.numbers };
  }

  private async parse(request: ParseRequest): Promise<Extract<ParseReply, { ok: true }>> {
    if (this.running >= this.limits.concurrency) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.running++;
    try {
      return await this.inWorker(request);
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }

  private inWorker(request: ParseRequest): Promise<Extract<ParseReply, { ok: true }>> {
    const name = path.basename(request.file);
    return new Promise((resolve, reject) => {
      let worker: Worker;
      try {
        worker = new Worker(this.workerFile, {
          workerData: request, resourceLimits: { maxOldGenerationSizeMb: this.limits.memoryMb }, stdout: true, stderr: true,
        });
      } catch (e) {
        reject(new Error(`${name}: could not start the report reader: ${e instanceof Error ? e.message : String(e)}`));
        return;
      }
      this.workers.add(worker);
      let settled = false;
      const settle = (f: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.workers.delete(worker);
        f();
        void worker.terminate();
      };
      const timer = setTimeout(() => settle(() => reject(new Error(
        `${name} took more than ${Math.round(this.limits.timeMs / 1000)} s to read: stopped (a file that large or that complex is not opened)`))),
      this.limits.timeMs);
      worker.once('message', (reply: ParseReply) => settle(() => (reply.ok ? resolve(reply) : reject(new Error(reply.message)))));
      worker.once('error', (e: Error & { code?: string }) => settle(() => reject(new Error(e.code === 'ERR_WORKER_OUT_OF_MEMORY'
        ? `${name} needs more than ${this.limits.memoryMb} MiB to read: not opened`
        : `${name}: the report reader failed: ${e.message}`))));
      worker.once('exit', (code) => settle(() => reject(new Error(`${name}: the report reader stopped (exit code ${code}) without an answer`))));
    });
  }

  /** Stops every read in progress (each rejects). */
  dispose(): void {
    for (const w of this.workers) void w.terminate();
    this.workers.clear();
  }
}
