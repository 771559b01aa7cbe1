// Reads report files outside the extension host. A report can come from anywhere (a cloned
// repository, a download): each file is read, validated and analysed in a child process of its own
// (reportParserProcess.ts) with a heap limit and a time limit, so a hostile file (huge, slow, or one
// that some check misses) costs that process, never the host that every extension shares. A
// process, not a worker thread: a worker that reaches its resourceLimits can still abort the whole
// process (nodejs/node#47224; it did abort the extension host here, on a 64 MiB limit), and
// ArrayBuffers (inflated gzip) are outside a worker's limits anyway.
import { fork, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import type { Report } from '../model/report';
import type { RunMetrics } from '../model/analysis';
import type { SweepReport } from '../model/sweep-report';

export type ParseRequest = { file: string; want: 'report' | 'entry' | 'sweep' };

/** What the Runs view keeps of a report: the inputs of its entry (src/model/run-views.ts runEntry). */
export type EntryInputs = { slim: Parameters<typeof import('../model/run-views').runEntry>[0]; numbers: { wallMs: number; utilization: number; imbalance: number } };

export type ParseReply =
  | { ok: true; want: 'report'; report: Report; metrics: RunMetrics }
  | ({ ok: true; want: 'entry' } & EntryInputs)
  | { ok: true; want: 'sweep'; sweep: SweepReport }
  | { ok: false; message: string };

export interface ParseLimits {
  /** Heap of the reading process's old generation, MiB (--max-old-space-size). */
  memoryMb: number;
  /** Longest a file may take to read, validate, analyse and send, ms. */
  timeMs: number;
  /** Files read at once (each in its own process). */
  concurrency: number;
}

/**
 * 4 GiB of heap: `parprof report` on the largest valid reports (10 million spans, packed) peaks
 * at 3.0 GB RSS (docs/hardening.md), part of it outside the heap; a file that needs more is
 * refused rather than read (not tried at 10M spans in the extension). 2 minutes: a
 * 10M-span report reads in well under a minute on a loaded 2-core machine. 2 at once: the Runs
 * view asks for every file of the report folder together.
 */
export const PARSE_LIMITS: ParseLimits = { memoryMb: 4096, timeMs: 120_000, concurrency: 2 };

export class ReportParser {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly children = new Set<ChildProcess>();

  constructor(private readonly readerFile: string, private readonly limits: ParseLimits = PARSE_LIMITS) {}

  /** Files being read right now (reading processes running), for tests and diagnostics. */
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

  /** The sweep or A/B report (.parprof-sweep.json) in `file`, validated. */
  async sweep(file: string): Promise<SweepReport> {
    const reply = await this.parse({ file, want: 'sweep' });
    if (reply.want !== 'sweep') throw new Error(`${path.basename(file)}: the report reader answered with ${reply.want}`);
    return reply.sweep;
  }

  private async parse(request: ParseRequest): Promise<Extract<ParseReply, { ok: true }>> {
    if (this.running >= this.limits.concurrency) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.running++;
    try {
      return await this.inChild(request);
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }

  private inChild(request: ParseRequest): Promise<Extract<ParseReply, { ok: true }>> {
    const name = path.basename(request.file);
    return new Promise((resolve, reject) => {
      let child: ChildProcess;
      try {
        child = fork(this.readerFile, [request.want, request.file], {
          execArgv: [`--max-old-space-size=${this.limits.memoryMb}`], serialization: 'advanced', stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
          // In desktop VS Code process.execPath is Electron's binary: run it as plain Node.
          env: { ...process.env, ELECTRON_RUN_AS_NODE: '1', NODE_OPTIONS: '' },
        });
      } catch (e) {
        reject(new Error(`${name}: could not start the report reader: ${e instanceof Error ? e.message : String(e)}`));
        return;
      }
      this.children.add(child);
      // The end of stderr names an out-of-memory abort (V8 prints "heap out of memory").
      let stderr = '';
      child.stderr?.setEncoding('utf8').on('data', (chunk: string) => { stderr = (stderr + chunk).slice(-4096); });
      let settled = false;
      const settle = (f: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.children.delete(child);
        f();
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      };
      const limit = this.limits.timeMs >= 1000 ? `${Math.round(this.limits.timeMs / 1000)} s` : `${this.limits.timeMs} ms`;
      const timer = setTimeout(() => settle(() => reject(new Error(
        `${name} took more than ${limit} to read: stopped (a file that large or that complex is not opened)`))),
      this.limits.timeMs);
      child.once('message', (reply: ParseReply) => settle(() => (reply.ok ? resolve(reply) : reject(new Error(reply.message)))));
      child.once('error', (e) => settle(() => reject(new Error(`${name}: the report reader failed: ${e.message}`))));
      child.once('exit', (code, signal) => {
        // 'exit' can come before stderr's last chunk: read it once the stream has ended too.
        const done = () => settle(() => reject(new Error(/heap out of memory|Allocation failed/.test(stderr)
          ? `${name} needs more than ${this.limits.memoryMb} MiB to read: not opened`
          : `${name}: the report reader stopped (${signal ?? `exit code ${code}`}) without an answer${stderr.trim() ? `: ${stderr.trim().split('\n').pop()}` : ''}`)));
        if (child.stderr && !child.stderr.readableEnded) child.stderr.once('end', done).once('error', done);
        else done();
      });
    });
  }

  /** Stops every read in progress (each rejects). */
  dispose(): void {
    for (const c of this.children) c.kill('SIGKILL');
    this.children.clear();
  }
}
