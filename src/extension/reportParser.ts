// Reads report files outside the extension host. A report can come from anywhere (a cloned
// repository, a download): each file is read, validated and analysed in a child process of its own
// (reportParserProcess.ts) with a heap limit and a time limit, so a hostile file (huge, slow, or one
// that some check misses) costs that process, never the host that every extension shares. A
// process, not a worker thread: a worker that reaches its resourceLimits can still abort the whole
// process (nodejs/node#47224; it did abort the extension host here, on a 64 MiB limit), and
// ArrayBuffers (inflated gzip) are outside a worker's limits anyway.
import { fork, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import type { Report, RunMeta } from '../model/report';
import type { RunMetrics } from '../model/analysis';
import type { SweepReport } from '../model/sweep-report';
import type { ReportPreview } from '../model/report-preview';
import type { SliceInfo } from '../protocol';

/**
 * The reader's glibc tunables: `glibc.malloc.hugetlb=1`, unless the caller set their own (then
 * theirs, untouched: glibc 2.36 here honoured only the first of a list). A large report's columns
 * are hundreds of MB of fresh memory, and the first write to each 4 KiB page faults: at ten million
 * spans that was most of the reader's 2.7 s decode on a 2-core VM (~13 µs a fault). With the tunable
 * glibc's malloc asks for transparent huge pages (madvise) for its large blocks, so one fault maps
 * 2 MiB: the decode took 1.0-1.5 s (docs/benchmarks.md). Where transparent huge pages are off, or
 * malloc is not glibc's (macOS, Windows, musl), nothing changes.
 */
export function withHugePages(tunables: string | undefined): string {
  return tunables !== undefined && tunables.trim() !== '' ? tunables : 'glibc.malloc.hugetlb=1';
}

export type ParseRequest = { file: string; want: 'report' | 'entry' | 'sweep' | 'view'; windowAbove?: number };

/** A windowed view's request for another window (protocol.ts `slice`): the one starting at `from`, or the one ending at `to`. */
export type SliceRequest = { from?: number; to?: number };

/**
 * About how many tasks one window of a windowed report holds. 150,000: cut, packed, sent and drawn in
 * ~1 s on a 2-core machine (the full view does that with a million), small beside the webview's memory.
 */
export const WINDOW_SPANS = 150_000;

/**
 * Reports with more spans than this are shown a window at a time by default (the
 * `parallelProfiler.windowAboveSpans` setting): at ten million spans the whole report in the
 * webview took 30 s to draw and 1.6 GB across the reader and the webview; a window, seconds.
 */
export const WINDOW_ABOVE_SPANS = 3_000_000;

/**
 * A large report as a view needs it, and no more: where the webview can fetch it, and what the host
 * itself reads of it; the host passes its packed bytes on untouched if the webview cannot fetch the
 * file (the webview decodes them in a Web Worker). Ten million spans decoded are gigabytes of the
 * host's heap; their packed bytes ~75 MB. It comes as soon as the reading process has read and
 * hashed the file (a packed file whose header says it is large), before it has validated the
 * report: the webview fetches and decodes the file meanwhile, and shows it only once `validated`.
 */
export interface PackedView {
  /** The packed bytes are gzip-compressed (a .parprof file's own bytes). */
  gzipped: boolean;
  /**
   * When the packed bytes are the file's own: their SHA-256 (hex), computed by the reading process
   * from the bytes it validates. The webview may then fetch the file itself and check it is still
   * those bytes (webviewHost.ts `init-packed-url`).
   */
  sha256?: string;
  /** Length of the packed bytes (the file's size when they are its own), bytes; 0 when the reader packs them after this (no `sha256`): they come with their length. */
  bytes: number;
  /** The run's meta, from the report's header, checked as validateReport checks it. */
  meta: RunMeta;
  /** Task spans in the report. */
  spans: number;
  /**
   * A first screen of the report (report-preview.ts), computed by the reading process from its
   * span columns before it has validated them (numbers only, besides the header's thread names,
   * which it checked); undefined when it could not be computed or the process stopped first.
   */
  preview: Promise<ReportPreview | undefined>;
  /**
   * Resolves once the reading process has validated the whole report (every column: what neither
   * the host nor the webview checks); rejects with its one-line reason when the report is not
   * valid, or the process stopped before it could say. Nothing of the report is shown before.
   */
  validated: Promise<ValidatedView>;
  /**
   * The report's metrics and findings, computed by the reading process: they spare the webview's
   * worker unpacking the report a second time to compute them (at 10M spans ~700 MB more in the
   * webview while it draws, and seconds of CPU beside the first draw), and the page's thread the
   * findings (advise: ~1 s at 10M spans, on the thread code-server's workbench shares). They come
   * after the bytes: the process analyses while the webview decodes. Undefined when the process
   * could not compute them (it stopped, or ran out of time): the webview then computes them.
   */
  analysis: Promise<ReaderAnalysis | undefined>;
  /**
   * Set for a report above the windowed threshold: the reader keeps it and sends it a window at a
   * time (its first once validated, before the metrics); there are no packed bytes then (`packed` rejects).
   */
  windowed?: boolean;
  /** With `windowed`: the windows as they come, asked for, and the reader's end. */
  windows?: WindowFeed;
}

/** A window of a windowed report, as its reader sends it: a report of its own, packed. */
export interface ReportWindow { packed: Uint8Array; gzipped: boolean; slice: SliceInfo }

/** A windowed view's windows: each one its reader sends (the first unasked), a request for another, and the reader's end. */
export interface WindowFeed {
  /** Calls `take` with each window from now on (the last one sent, if any, first). */
  onWindow(take: (w: ReportWindow) => void): void;
  /** Calls `why` with the reader's one line when a window asked for could not be cut, or the reader stopped. */
  onRefused(why: (message: string) => void): void;
  /** Asks the reader for another window; false when it has stopped. */
  request(r: SliceRequest): boolean;
  /** Ends the reader (the view closed). */
  stop(): void;
}

/** What the reading process says of a large report once it has validated it. */
export interface ValidatedView {
  /** The source files the report names (source-access.ts filesNamedBy): the only ones "Open source" may open. */
  sourceFiles: string[];
  /**
   * The packed bytes (PPC1, gzip-compressed when `gzipped`), for a webview that cannot fetch the
   * file. When it can (`sha256`) they come last, after the metrics (a 72 MB message at 10M spans
   * costs the reader and the host CPU, kept out of the first draw's way); else right after `validated`.
   */
  packed: Promise<Uint8Array>;
}

/** What the reading process computes of a large report after sending its bytes. */
export interface ReaderAnalysis {
  metrics: RunMetrics;
  /** summary.ts verdicts; undefined if they could not be computed (the webview computes them). */
  findings?: string[];
  /**
   * Why the answers the first screen showed from the file's header (report-answers.ts) are not the
   * report's own, in one line; absent when they are (or none were shown).
   */
  answersMismatch?: string;
}

/** A PackedView as the reading process sends it first: what is validated, the bytes and the metrics follow in messages of their own. */
export type PackedHead = Omit<PackedView, 'preview' | 'validated' | 'analysis' | 'windows'>;

/**
 * Above this many spans a view is sent the packed report (`init-packed`, or its file's address),
 * not the report itself. A packed file (a recording above PACK_SPANS_ABOVE) crosses as the file's
 * bytes: ten million spans as 75 MB rather than ~400 MB of columns, never decoded by the host. A
 * JSON report this large is packed by its reader and gzipped (level 1) for the way: a 1M-span
 * recording's columns are 41 MB as typed arrays, 8.4 MB so. Packing costs the reader 0.5-0.8 s,
 * which its smaller message to the host gives back (sent 2.4-3.1 s after open either way); in
 * code-server it then opened in 4.1-5.6 s against 8.1-9.4 s as typed columns, and 6.8-7.5 s
 * with its WebSocket's compression off (test/vscode suite 9d, 2026-12-05, this 2-core VM).
 */
export const PACKED_VIEW_ABOVE = 250_000;

/** What a report view is given: a small report whole (typed `init`), a large one packed (`init-packed`). */
export type ReportForView =
  | { kind: 'report'; report: Report; metrics: RunMetrics }
  /** A report sent whole before its metrics, which follow (undefined: they could not be computed). */
  | { kind: 'report-first'; report: Report; analysis: Promise<ReaderAnalysis | undefined> }
  | { kind: 'packed'; view: PackedView };

/** What the Runs view keeps of a report: the inputs of its entry (src/model/run-views.ts runEntry). */
export type EntryInputs = { slim: Parameters<typeof import('../model/run-views').runEntry>[0]; numbers: { wallMs: number; utilization: number; imbalance: number } };

export type ParseReply =
  | { ok: true; want: 'report'; report: Report; metrics: RunMetrics }
  /** A view's report of up to PACKED_VIEW_ABOVE spans, validated; its 'metrics' follow. */
  | { ok: true; want: 'report-first'; report: Report }
  | ({ ok: true; want: 'entry' } & EntryInputs)
  | { ok: true; want: 'view'; view: PackedHead }
  /** After a 'view' reply: its preview (undefined: none could be computed). */
  | { ok: true; want: 'preview'; preview?: ReportPreview }
  /** After 'preview': the whole report is valid (or an `ok: false` reply says why not). */
  | { ok: true; want: 'validated'; sourceFiles: string[] }
  /** After 'validated': the packed bytes. */
  /** After 'validated': the metrics and findings of the report (no metrics: they could not be computed); before or after 'packed'. */
  | ({ ok: true; want: 'metrics' } & Partial<ReaderAnalysis>)
  /**
   * After 'validated': the packed bytes; last when the webview can fetch the file (rarely needed then:
   * 72 MB at 10M spans, kept out of the first draw's way), before the metrics when it cannot.
   */
  | { ok: true; want: 'packed'; packed: Uint8Array }
  /** A windowed view's window: after 'validated' (its first, before 'metrics'), then one for each request. */
  | { ok: true; want: 'slice'; packed: Uint8Array; gzipped: boolean; slice: SliceInfo }
  | { ok: true; want: 'sweep'; sweep: SweepReport }
  | { ok: false; message: string };

/** A windowed view's windows as they come from its reader (reportParser.ts WindowFeed). */
class Windows implements WindowFeed {
  private last: ReportWindow | undefined;
  private readonly takers = new Set<(w: ReportWindow) => void>();
  private readonly refusals = new Set<(why: string) => void>();
  private stopped = false;

  constructor(private readonly send: (r: SliceRequest) => boolean, private readonly kill: () => void) {}

  give(w: ReportWindow): void {
    this.last = w;
    for (const take of this.takers) take(w);
  }

  onWindow(take: (w: ReportWindow) => void): void {
    this.takers.add(take);
    if (this.last) take(this.last);
  }

  /** Calls `why` with the reader's one line when it could not cut a window asked for, or stopped. */
  onRefused(why: (message: string) => void): void {
    this.refusals.add(why);
  }

  refuse(message: string): void {
    for (const why of this.refusals) why(message);
  }

  request(r: SliceRequest): boolean {
    return !this.stopped && this.send(r);
  }

  stop(): void {
    this.stopped = true;
    this.kill();
  }

  /** The reader ended (`why`): no window comes any more. */
  ended(why: string): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.last) this.refuse(why);
  }
}

/** A reading process's answer: a 'view' one carries the replies that follow it. */
type Answer = Exclude<Extract<ParseReply, { ok: true }>, { want: 'view' | 'report-first' | 'preview' | 'validated' | 'packed' | 'metrics' | 'slice' }>
  | (Extract<ParseReply, { want: 'view' | 'report-first' }> & { following: FollowingReplies });

/**
 * The replies that follow a 'view' one, in order: 'preview', 'validated' (or why not), then
 * 'metrics' and 'packed' in either order. Whatever has not come when the process ends (or is stopped) never will: `validated`
 * and the bytes reject with why, the preview and the metrics are undefined. Nothing waits forever.
 */
class FollowingReplies {
  /** A windowed view's (`windowed`): set by the reading process's owner. */
  windows?: Windows;
  /** A windowed view's reader has said everything but its windows: its time limit ends (it serves until stopped). */
  onServing?: () => void;
  readonly preview: Promise<ReportPreview | undefined>;
  readonly validated: Promise<ValidatedView>;
  readonly analysis: Promise<ReaderAnalysis | undefined>;
  private readonly packed: Promise<Uint8Array>;
  private next: 'preview' | 'validated' | 'rest' | 'serving' | 'done';
  /** After 'validated': which of the metrics and the bytes (a windowed view: its first window) came. */
  private readonly came = new Set<'metrics' | 'packed' | 'slice'>();
  private givePreview!: (p: ReportPreview | undefined) => void;
  private giveValidated!: (v: ValidatedView) => void;
  private refuseValidated!: (e: Error) => void;
  private givePacked!: (p: Uint8Array) => void;
  private refusePacked!: (e: Error) => void;
  private giveAnalysis!: (a: ReaderAnalysis | undefined) => void;

  /** `metricsOnly`: after a 'report-first' reply, only the metrics follow. */
  constructor(private readonly metricsOnly = false) {
    this.next = metricsOnly ? 'rest' : 'preview';
    this.preview = new Promise((resolve) => { this.givePreview = resolve; });
    this.validated = new Promise((resolve, reject) => { this.giveValidated = resolve; this.refuseValidated = reject; });
    this.packed = new Promise((resolve, reject) => { this.givePacked = resolve; this.refusePacked = reject; });
    this.analysis = new Promise((resolve) => { this.giveAnalysis = resolve; });
    // Their owners handle the rejections; one nobody waits for is not an unhandled rejection.
    this.validated.catch(() => undefined);
    this.packed.catch(() => undefined);
  }

  /** The next reply of the process; true once it has nothing more to say. */
  take(reply: ParseReply): boolean {
    const unexpected = reply.ok ? `the report reader answered with ${reply.want}` : reply.message;
    if (this.next === 'preview' && reply.ok && reply.want === 'preview') {
      this.next = 'validated';
      this.givePreview(reply.preview);
      return false;
    }
    if (this.next === 'validated' && reply.ok && reply.want === 'validated') {
      this.next = 'rest';
      this.giveValidated({ sourceFiles: reply.sourceFiles, packed: this.packed });
      return false;
    }
    // The metrics and the bytes, in either order: the bytes first when the webview cannot fetch the file (no SHA-256).
    if (this.next === 'rest' && reply.ok && reply.want === 'metrics' && !this.came.has('metrics')) {
      this.came.add('metrics');
      this.giveAnalysis(reply.metrics ? { metrics: reply.metrics, findings: reply.findings, answersMismatch: reply.answersMismatch } : undefined);
      return this.restDone();
    }
    if (this.windows && (this.next === 'rest' || this.next === 'serving') && reply.ok && reply.want === 'slice') {
      this.windows.give({ packed: new Uint8Array(reply.packed), gzipped: reply.gzipped === true, slice: reply.slice });
      if (this.next === 'serving') return false;
      this.came.add('slice');
      return this.restDone();
    }
    // A window the reader could not cut: said, and the reader serves on (a request's, not the first).
    if (this.windows && this.next === 'serving' && !reply.ok) {
      this.windows.refuse(reply.message);
      return false;
    }
    if (!this.windows && this.next === 'rest' && reply.ok && reply.want === 'packed' && !this.came.has('packed')) {
      this.came.add('packed');
      // A Uint8Array of its own: the channel's deserializer gives a view into the whole message's
      // buffer, which the webview's postMessage did not carry across (the webview got no bytes).
      this.givePacked(new Uint8Array(reply.packed));
      return this.restDone();
    }
    this.end(unexpected);
    return true;
  }

  private restDone(): boolean {
    if (this.came.size < (this.metricsOnly ? 1 : 2)) return false;
    if (this.windows) {
      this.next = 'serving';
      this.onServing?.();
      return false;
    }
    this.next = 'done';
    return true;
  }

  /** Nothing more will come (`why`, in one line: the validation's verdict, or why the process stopped). */
  end(why: string): void {
    this.next = 'done';
    this.givePreview(undefined);
    this.refuseValidated(new Error(why));
    this.refusePacked(new Error(why));
    this.giveAnalysis(undefined);
    this.windows?.ended(why);
  }
}

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
  /** Views whose replies are still to come from their reader (dispose ends them). */
  private readonly toCome = new Set<FollowingReplies>();

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

  /**
   * The report in `file` as a view shows it: whole up to PACKED_VIEW_ABOVE spans, its metrics following,
   * else packed, as soon as it is read: its validation, bytes and metrics to follow (the host never
   * holds the decoded report).
   */
  async forView(file: string, windowAbove = WINDOW_ABOVE_SPANS): Promise<ReportForView> {
    const reply = await this.parse({ file, want: 'view', windowAbove });
    if (reply.want === 'view') {
      const { preview, validated, analysis, windows } = reply.following;
      return { kind: 'packed', view: { ...reply.view, preview, validated, analysis, windows } };
    }
    if (reply.want === 'report-first') return { kind: 'report-first', report: reply.report, analysis: reply.following.analysis };
    if (reply.want !== 'report') throw new Error(`${path.basename(file)}: the report reader answered with ${reply.want}`);
    return { kind: 'report', report: reply.report, metrics: reply.metrics };
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

  private async parse(request: ParseRequest): Promise<Answer> {
    if (this.running >= this.limits.concurrency) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.running++;
    try {
      return await this.inChild(request);
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }

  private inChild(request: ParseRequest): Promise<Answer> {
    const name = path.basename(request.file);
    return new Promise((resolve, reject) => {
      let child: ChildProcess;
      try {
        child = fork(this.readerFile, [request.want, request.file, ...(request.windowAbove !== undefined ? [String(request.windowAbove)] : [])], {
          execArgv: [`--max-old-space-size=${this.limits.memoryMb}`], serialization: 'advanced', stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
          // In desktop VS Code process.execPath is Electron's binary: run it as plain Node.
          env: { ...process.env, ELECTRON_RUN_AS_NODE: '1', NODE_OPTIONS: '', GLIBC_TUNABLES: withHugePages(process.env.GLIBC_TUNABLES) },
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
      // Set once a 'view' reply is answered: the replies that follow it, ended when the process ends.
      let following: FollowingReplies | undefined;
      const settle = (f: () => void, why = 'the report reader stopped') => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.children.delete(child);
        f();
        if (following) {
          following.end(why);
          this.toCome.delete(following);
        }
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      };
      const fail = (e: Error) => settle(() => reject(e), e.message);
      const limit = this.limits.timeMs >= 1000 ? `${Math.round(this.limits.timeMs / 1000)} s` : `${this.limits.timeMs} ms`;
      const timer = setTimeout(() => fail(new Error(
        `${name} took more than ${limit} to read: stopped (a file that large or that complex is not opened)`)),
      this.limits.timeMs);
      child.on('message', (reply: ParseReply) => {
        if (following) {
          if (following.take(reply)) settle(() => undefined);
        } else if (reply.ok && (reply.want === 'view' || reply.want === 'report-first')) {
          // The view goes on now; the process goes on to validate, send the bytes and analyse, under the same time limit.
          following = new FollowingReplies(reply.want === 'report-first');
          this.toCome.add(following);
          if (reply.want === 'view' && reply.view.windowed) {
            following.windows = new Windows((r) => child.connected && child.send(r), () => settle(() => undefined, 'the view closed'));
            // Its replies all came: it keeps the report to cut windows from until the view closes, past the time limit.
            following.onServing = () => clearTimeout(timer);
          }
          resolve({ ...reply, following });
        } else settle(() => (reply.ok ? resolve(reply as Answer) : reject(new Error(reply.message))));
      });
      child.once('error', (e) => fail(new Error(`${name}: the report reader failed: ${e.message}`)));
      child.once('exit', (code, signal) => {
        // 'exit' can come before stderr's last chunk: read it once the stream has ended too.
        const done = () => fail(new Error(/heap out of memory|Allocation failed/.test(stderr)
          ? `${name} needs more than ${this.limits.memoryMb} MiB to read: not opened`
          : `${name}: the report reader stopped (${signal ?? `exit code ${code}`}) without an answer${stderr.trim() ? `: ${stderr.trim().split('\n').pop()}` : ''}`));
        if (child.stderr && !child.stderr.readableEnded) child.stderr.once('end', done).once('error', done);
        else done();
      });
    });
  }

  /** Stops every read in progress (each rejects; a view's validation still to come rejects, its metrics are undefined). */
  dispose(): void {
    for (const c of this.children) c.kill('SIGKILL');
    this.children.clear();
    for (const f of [...this.toCome]) f.end('the report reader was stopped');
    this.toCome.clear();
  }
}
