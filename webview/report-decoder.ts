// Decoding a packed report (packed-report.ts) off the page's thread: in a Web Worker made from a
// blob of the decoder's own bundle (decode-worker.ts, inlined at build time), so the page's CSP
// needs only `worker-src blob:` and nothing is fetched. Where no worker can be made (a CSP
// without it, a bundle built without the worker), the same steps run on the page's thread.
import { fromBase64 } from '../src/model/base64';
import type { Report } from '../src/model/report';
import type { RunMetrics } from '../src/model/analysis';
import { decodeOnRead, LAZY_SPAN_COLUMNS, narrowColumns, unpackReport } from '../src/model/packed-report';
import { checkValidatedShape, validateReport } from '../src/model/load';
import { jsonNestingProblem } from '../src/model/validate-values';
import { gunzip } from './gunzip';
import type { ExpectedFile } from './streamed-file';
import type { LaneIndex } from './layout-timeline';

/**
 * To the worker: the blob in parts (standalone pages embed it in several), gzip-compressed or
 * not; with `metrics`, the worker also computes the report's metrics after handing it over;
 * `validated`: see Source.
 */
export interface DecodeRequest { parts: Uint8Array[]; gzipped: boolean; metrics: boolean; validated: boolean }

/**
 * Where a packed report comes from, which decides how much of it is checked:
 * - 'host': VS Code's extension host, in `init-packed`. Those bytes are the file the host's report
 *   reader (src/extension/reportParserProcess.ts) read and validated in full (or its own packing of
 *   the report it validated), handed on unchanged: the reader's answer carries them, the host posts
 *   them as they came, and a webview receives messages only from its host (its page runs no script
 *   but ours, under a nonce CSP). Validating them again here (~0.2 s of CPU at ten million spans,
 *   and it needs every column decoded) can find nothing the reader did not, so only their shape
 *   is checked (checkValidatedShape: header, column bounds and lengths), which keeps every later
 *   step from reading out of bounds should the bytes be cut or mixed up on the way; and the span
 *   columns the first screen does not read stay encoded until read (LAZY_SPAN_COLUMNS).
 * - 'page': the bytes of a standalone page, or anything else: the page's own, checked in full.
 */
export type Source = 'host' | 'page';
/**
 * From the worker, after `{ ready: true }`: the validated report, its columns transferred (or why
 * it could not be read); then, when asked, `{ metrics }` (undefined if they could not be computed).
 */
export type DecodeReply = { report: Report; lanes?: LaneIndex[]; error?: undefined; changed?: undefined } | { error: string; report?: undefined; changed?: undefined }
  | { changed: string; report?: undefined; error?: undefined };
/**
 * To the worker, instead of a DecodeRequest: a file the page fetches (`init-packed-url`), sent as
 * `stream` (what it must be: ExpectedFile), then each `part` as it arrives (transferred), then
 * `end`, or `abort` when the fetch failed. The worker inflates the parts as they come and checks
 * the whole file before it decodes anything (streamed-file.ts); a file that is not the one the
 * reader validated is answered `{ changed }`. Its bytes are the reader's then: Source 'host'.
 */
/**
 * From the worker while a fetched file is still arriving: bytes inflated so far; columns decoded so
 * far and whether the lane indexes are built (streamed-unpack.ts).
 */
export type StreamProgress = { inflated: number } | { columns: number; lanes: boolean };
export type StreamMessage = { stream: { file: ExpectedFile; gzipped: boolean; metrics: boolean } } | { pageParts: { metrics: boolean } } | { part: Uint8Array } | { end: true } | { abort: true };
/** What the worker computes after handing the report over: its metrics and findings (summary.ts verdicts). */
export interface Analysis { metrics: RunMetrics; findings?: string[] }
type MetricsReply = { analysis: Analysis | undefined } | { refused: string };

/**
 * The fetch of the last `init-packed-url` file (decodeFetched): bytes handed to the worker; bytes it
 * had inflated, columns it had decoded and whether it had built the lane indexes while the file was
 * still arriving (read by tests: inflating and decoding overlap the transfer).
 */
export const fetchProgress = { relayed: 0, inflatedWhileFetching: 0, columnsWhileFetching: 0, lanesWhileFetching: false, done: false };

/**
 * A decoded report, and its analysis when the worker computes it (later: the report shows first);
 * `lanes`: the timeline's lane indexes when the worker built them (Store.laneIndexes).
 */
/**
 * A decoded report, its lane indexes, and the metrics computed later. `refused`: a standalone page's
 * report, drawn once its shape was checked, is checked in full with its metrics after the first
 * paint; this resolves with why it is refused, if it is (the metrics then never come).
 */
export interface Decoded { report: Report; lanes?: LaneIndex[]; analysis?: Promise<Analysis | undefined>; refused?: Promise<string> }

declare const __DECODE_WORKER_SOURCE__: string | undefined;

/** Where the last report was decoded ('worker' or 'page'), read by tests and the benchmark. */
export let decodedIn: 'worker' | 'page' | undefined;

/** Below this many bytes a report decodes on the page: starting a worker would cost more than it saves. */
export const WORKER_MIN_BYTES = 256 * 1024;

/**
 * The validated report of a packed blob, decoded in a worker when one can be made (and is worth
 * it). With `wantMetrics` the worker then computes its metrics and findings too (analyze and
 * advise: seconds at 10M spans) so the page's thread never does; the worker ends once they are sent.
 */
export async function decodePacked(parts: Uint8Array[], gzipped: boolean, wantMetrics = false, source: Source = 'page', warm?: WarmDecoder): Promise<Decoded> {
  const validated = source === 'host';
  const size = parts.reduce((n, p) => n + p.byteLength, 0);
  // A worker started beforehand (warmDecoder) when there is one; a small report decodes here.
  const ready = warm ? await warm.ready : false;
  const worker = ready ? warm!.worker : size >= WORKER_MIN_BYTES ? makeWorker() : undefined;
  if (!ready) warm?.worker?.terminate();
  if (worker) {
    // The bytes go once the worker runs: a worker refused by the CSP fails before that, and
    // then the page still has them to decode itself. They are handed over, not copied.
    const reply = await inWorker(worker, wantMetrics, () => worker.postMessage({ parts, gzipped, metrics: wantMetrics, validated } satisfies DecodeRequest, [...new Set(parts.map((p) => p.buffer as ArrayBuffer))]), ready);
    if (reply && 'changed' in reply) throw new Error(reply.changed);
    if (reply) return reply;
    if (parts.some((p) => p.byteLength === 0)) throw new Error('the report decoder (a Web Worker) stopped after it was given the report\'s bytes');
  }
  decodedIn = 'page';
  const report = unpackValid(await joinBytes(parts, gzipped), validated);
  decodeOnRead(report.spans as unknown as Record<string, unknown>);
  return { report };
}

/**
 * A standalone page's report, handed over part by part as the browser parses the page
 * (html-report.ts: each embedded part is followed by a call that hands it over): each part goes
 * to the decoder's worker at once, which inflates and unpacks it while the browser parses the
 * next (parsing 13 MB of parts takes this Chromium ~0.5 s at 1M spans; the worker used to start
 * after it). With `wantMetrics` the report is handed over once its shape is checked (as the
 * host's are: checkValidatedShape), the span columns the first screen does not read left encoded
 * until read, and is validated in full with its metrics once the page has drawn (`refused` says
 * why, when it fails: the page then shows that instead); without, in full before it is handed
 * over. The page's bytes came through gzip, whose CRC-32 refuses a damaged page before either.
 * `end()` once the last part came. Where no worker can be made, or it fails, the page decodes and
 * validates in full the parts `fallback` gives (still in the page).
 */
export function decodePageParts(wantMetrics: boolean): { add(base64: string): void; end(fallback: () => Uint8Array[]): Promise<Decoded> } {
  const worker = makeWorker();
  // Listening from the start: a worker that fails to start says so before the last part comes.
  const replied = worker ? inWorker(worker, wantMetrics, () => undefined, true) : Promise.resolve(undefined);
  // Awaited at end(); a report refused before then is not an unhandled rejection meanwhile.
  replied.catch(() => undefined);
  worker?.postMessage({ pageParts: { metrics: wantMetrics } } satisfies StreamMessage);
  return {
    // Decoded here and handed over (the page keeps the part's text until the worker has answered):
    // the worker is the slower of the two while the browser parses the page.
    add(text) {
      if (!worker) return;
      const part = fromBase64(text);
      worker.postMessage({ part } satisfies StreamMessage, [part.buffer as ArrayBuffer]);
    },
    async end(fallback) {
      worker?.postMessage({ end: true } satisfies StreamMessage);
      const reply = await replied;
      if (reply && 'changed' in reply) throw new Error(reply.changed);
      if (reply) return reply;
      decodedIn = 'page';
      const report = unpackValid(await joinBytes(fallback(), true), false);
      decodeOnRead(report.spans as unknown as Record<string, unknown>);
      return { report };
    },
  };
}

/**
 * Runs the decoder's worker: `send` once it is running; resolves with the report it decoded
 * (`changed`: the fetched file was not the one validated), or undefined when the worker failed
 * (then nothing was decoded). With `wantMetrics` the worker stays to compute them after the first paint.
 */
async function inWorker(worker: Worker, wantMetrics: boolean, send: () => void, running = false): Promise<Decoded | { changed: string } | undefined> {
  let gotMetrics: (m: Analysis | undefined) => void = () => undefined;
  const analysis = new Promise<Analysis | undefined>((resolve) => { gotMetrics = resolve; });
  let gotRefused: (why: string) => void = () => undefined;
  const refused = new Promise<string>((resolve) => { gotRefused = resolve; });
  const reply = await new Promise<DecodeReply | undefined>((resolve) => {
    worker.onmessage = (e: MessageEvent<DecodeReply | MetricsReply | StreamProgress | { ready: true }>) => {
      if ('ready' in e.data) send();
      else if ('inflated' in e.data) { if (!fetchProgress.done) fetchProgress.inflatedWhileFetching = e.data.inflated; }
      else if ('columns' in e.data) { if (!fetchProgress.done) Object.assign(fetchProgress, { columnsWhileFetching: e.data.columns, lanesWhileFetching: e.data.lanes }); }
      else if ('analysis' in e.data) { gotMetrics(e.data.analysis); worker.terminate(); }
      else if ('refused' in e.data) { gotRefused(e.data.refused); worker.terminate(); }
      else resolve(e.data);
    };
    worker.onerror = (e) => { e.preventDefault(); resolve(undefined); gotMetrics(undefined); worker.terminate(); };
    // A worker started beforehand said it runs already.
    if (running) send();
  });
  if (!reply?.report || !wantMetrics) worker.terminate();
  if (reply?.error !== undefined) throw new Error(reply.error);
  if (reply?.changed !== undefined) return { changed: reply.changed };
  if (!reply?.report) return undefined;
  decodedIn = 'worker';
  // The worker analyses once the page has drawn the report: beside the first draw, its second
  // unpacking and analyze take the core the page needs when the machine has none to spare
  // (1M spans on a loaded 2-core machine: timeline built and drawn in 1.2 s instead of 0.3 s).
  if (wantMetrics) afterFirstPaint(() => worker.postMessage(METRICS_NOW));
  decodeOnRead(reply.report.spans as unknown as Record<string, unknown>);
  return { report: reply.report, lanes: reply.lanes, analysis: wantMetrics ? analysis : undefined, refused: wantMetrics ? refused : undefined };
}

/**
 * A large report's file at `url` (the host's `init-packed-url`), fetched and decoded at once: each
 * part goes to the decoder's worker as it arrives, which inflates it then, and decodes the file
 * once it is whole and the one the host's reader validated (its length and SHA-256). `unfetched`:
 * it could not be fetched or no worker could be made (the host then sends the bytes); `changed`: it
 * is not those bytes, in one line. Where no worker can be made, fetchValidated and decodePacked do it in turn.
 * `signal`: the page no longer wants it (the fetch and the worker stop; it resolves `unfetched`).
 */
export async function decodeFetched(url: string, file: ExpectedFile, gzipped: boolean, wantMetrics: boolean, signal?: AbortSignal, warm?: WarmDecoder): Promise<Decoded | { unfetched: string } | { changed: string }> {
  // A worker started beforehand (warmDecoder) when there is one.
  const running = warm ? await warm.ready : false;
  if (!running) warm?.worker?.terminate();
  const worker = running ? warm!.worker! : file.bytes >= WORKER_MIN_BYTES ? makeWorker() : undefined;
  if (!worker) {
    const got = await fetchValidated(url, file.bytes, file.sha256, signal);
    if (!('bytes' in got)) return got;
    performance.mark('parprof:fetched');
    return decodePacked([got.bytes], gzipped, wantMetrics, 'host');
  }
  Object.assign(fetchProgress, { relayed: 0, inflatedWhileFetching: 0, columnsWhileFetching: 0, lanesWhileFetching: false, done: false });
  let unfetched: string | undefined;
  /** Set once the worker answered (or failed): the rest of the file is not read. */
  let stopped = false;
  const relay = async () => {
    const post = (m: StreamMessage, transfer: Transferable[] = []) => worker.postMessage(m, transfer);
    post({ stream: { file, gzipped, metrics: wantMetrics } });
    try {
      const response = await fetch(url, { signal });
      if (!response.ok || !response.body) throw new Error(response.ok ? 'the response has no body' : `HTTP ${response.status} ${response.statusText}`.trim());
      const reader = response.body.getReader();
      for (;;) {
        if (stopped) { void reader.cancel().catch(() => undefined); return; }
        const { done, value } = await reader.read();
        if (done) break;
        // Handed over, not copied, when the part is its buffer's only view.
        fetchProgress.relayed += value.byteLength;
        post({ part: value }, value.byteOffset === 0 && value.byteLength === value.buffer.byteLength ? [value.buffer] : []);
      }
    } catch (e) {
      unfetched = e instanceof Error ? e.message : String(e);
      post({ abort: true });
      // The worker decodes nothing then; it is ended here.
      worker.terminate();
      settle?.();
      return;
    }
    performance.mark('parprof:fetched');
    fetchProgress.done = true;
    post({ end: true });
  };
  let settle: (() => void) | undefined;
  const aborted = new Promise<undefined>((resolve) => { settle = () => resolve(undefined); });
  // Stopped by the page (the report turned out not valid): the fetch ends (relay() sees it abort) and the worker with it.
  signal?.addEventListener('abort', () => { unfetched ??= 'stopped'; stopped = true; worker.terminate(); settle?.(); });
  const decoded = await Promise.race([inWorker(worker, wantMetrics, () => void relay(), running), aborted]).finally(() => { stopped = true; });
  if (unfetched !== undefined) return { unfetched };
  if (!decoded) return { unfetched: 'the report decoder (a Web Worker) stopped while the file was fetched' };
  return decoded;
}

/** The blob's bytes in one array, inflated when gzip-compressed. */
export async function joinBytes(parts: Uint8Array[], gzipped: boolean): Promise<Uint8Array> {
  return gzipped ? gunzip(parts) : parts.length === 1 ? parts[0] : new Uint8Array(await new Blob(parts as Uint8Array<ArrayBuffer>[]).arrayBuffer());
}

/**
 * The steps themselves, wherever they run: unpack (header depth-checked), validate (only the
 * shape when the bytes were `validated` already: see Source), narrow. Bytes validated already
 * leave the span columns the first screen does not read encoded (LAZY_SPAN_COLUMNS: decodeOnRead
 * decodes each on its first read): less to decode and to hold before the first paint.
 */
export function unpackValid(bytes: Uint8Array, validated = false): Report {
  let unpacked: unknown;
  try {
    unpacked = unpackReport(bytes, (header) => {
      const deep = jsonNestingProblem(header);
      if (deep) throw new Error(deep);
    }, validated ? LAZY_SPAN_COLUMNS : []);
  } catch (err) {
    throw new Error(`packed report cannot be read: ${(err as Error).message}`);
  }
  return checkUnpacked(unpacked, validated);
}

/** An unpacked report checked (only its shape when its bytes were `validated` already: see Source) and narrowed. */
export function checkUnpacked(unpacked: unknown, validated: boolean): Report {
  return narrowColumns(validated ? checkValidatedShape(unpacked) : validateReport(unpacked));
}

/**
 * The file at `url` (a webview resource: the host's `init-packed-url`), if it is the `bytes` long
 * file with this SHA-256 (hex) that the host's report reader validated. `unfetched`: it could not
 * be fetched or hashed (the host then sends the bytes); `changed`: it was fetched but is not those
 * bytes (the file changed since it was read), in one line.
 */
export async function fetchValidated(url: string, bytes: number, sha256: string, signal?: AbortSignal): Promise<{ bytes: Uint8Array } | { unfetched: string } | { changed: string }> {
  let body: Uint8Array;
  let digest: string;
  try {
    const response = await fetch(url, { signal });
    if (!response.ok) return { unfetched: `HTTP ${response.status} ${response.statusText}`.trim() };
    body = new Uint8Array(await response.arrayBuffer());
    if (body.byteLength !== bytes) return { changed: `the report file changed after it was read (${bytes} bytes then, ${body.byteLength} now): reopen it` };
    if (!globalThis.crypto?.subtle) return { unfetched: 'no crypto.subtle here to check the file' };
    digest = [...new Uint8Array(await crypto.subtle.digest('SHA-256', body as Uint8Array<ArrayBuffer>))].map((b) => b.toString(16).padStart(2, '0')).join('');
  } catch (e) {
    return { unfetched: e instanceof Error ? e.message : String(e) };
  }
  if (digest !== sha256.toLowerCase()) return { changed: 'the report file changed after it was read (its SHA-256 differs): reopen it' };
  return { bytes: body };
}

/** To the worker, after the report: compute its metrics now. */
export const METRICS_NOW = 'metrics-now';

/** Runs `f` once the page has painted what the current task draws (or after a second, in a page that is not painting). */
export function afterFirstPaint(f: () => void): void {
  let done = false;
  const once = () => { if (!done) { done = true; f(); } };
  requestAnimationFrame(() => setTimeout(once, 0));
  setTimeout(once, 1000);
}

/** A decoder's worker started before its report comes (a windowed report's next window): `ready` once it runs (false: it failed). */
export interface WarmDecoder { worker: Worker | undefined; ready: Promise<boolean> }

/** Starts a decoder's worker now, for a report to come (its start-up, ~0.1 s, is then not waited for). */
export function warmDecoder(): WarmDecoder {
  const worker = makeWorker();
  if (!worker) return { worker, ready: Promise.resolve(false) };
  const ready = new Promise<boolean>((resolve) => {
    worker.onmessage = (e: MessageEvent<unknown>) => { if (e.data && typeof e.data === 'object' && 'ready' in e.data) resolve(true); };
    worker.onerror = (e) => { e.preventDefault(); resolve(false); };
  });
  return { worker, ready };
}

function makeWorker(): Worker | undefined {
  if (typeof __DECODE_WORKER_SOURCE__ !== 'string' || typeof Worker !== 'function') return undefined;
  const url = URL.createObjectURL(new Blob([__DECODE_WORKER_SOURCE__], { type: 'text/javascript' }));
  try {
    return new Worker(url);
  } catch {
    return undefined;
  } finally {
    // The worker has fetched its script once constructed; the URL is no longer needed.
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }
}
