// The report decoder's worker (a Web Worker made from a blob: report-decoder.ts). It inflates and
// unpacks a packed report (packed-report.ts), validates it, narrows its integer columns and hands
// the columns back as transferred ArrayBuffers: the page's thread stays free meanwhile and no
// column is copied on the way back, with the timeline's lane indexes (built here: seconds of the
// page's thread at ten million spans). The bytes come in one request, part by part as a standalone
// page is parsed (handed over once its shape is checked, validated in full with its metrics
// after the page has drawn it), or part by part as the page
// fetches the file (a StreamRequest: inflated and unpacked as they arrive, lane indexes built as
// soon as their columns are in; handed over once the file is checked against the one the host's
// reader validated). When asked, once the page has drawn, it unpacks the bytes again
// (the columns it had are the page's now) and computes the report's metrics and findings, so the
// page never runs analyze or advise.
// Built on its own and inlined in the views' bundle (scripts/build.mjs, __DECODE_WORKER_SOURCE__).
import { columnBuffers, decodeOnRead, LAZY_SPAN_COLUMNS } from '../src/model/packed-report';
import { analyze } from '../src/model/analysis';
import { verdicts } from '../src/model/summary';
import type { Report } from '../src/model/report';
import { gunzip } from './gunzip';
import { checkUnpacked, joinBytes, METRICS_NOW, unpackValid, type DecodeReply, type DecodeRequest, type StreamMessage, type StreamProgress } from './report-decoder';
import { FileChanged, InflatingParts, StreamedFile } from './streamed-file';
import { UnpackingSink, type Unpacked } from './streamed-unpack';
import { buildLaneIndexes, laneThreads, type LaneIndex } from './layout-timeline';

const scope = self as unknown as { onmessage: ((e: MessageEvent<DecodeRequest | StreamMessage>) => void) | null; postMessage(m: unknown, transfer?: Transferable[]): void };

scope.onmessage = (e) => {
  const m = e.data;
  if ('stream' in m) receiveStream(m.stream.file, m.stream.gzipped, m.stream.metrics);
  else if ('pageParts' in m) receivePageParts(m.pageParts.metrics);
  else if ('parts' in m && m.gzipped) {
    // Unpacked as it inflates, each column from bytes used again for the next (unless the metrics
    // keep the blob): the whole inflated blob is not written first (26 MB at 1M spans, each page of
    // it new memory: ~85 ms on this VM), and the lane indexes are built as their columns come.
    const validated = m.validated === true;
    const parts = new InflatingParts<Unpacked>(new UnpackingSink(undefined, m.metrics, validated ? LAZY_SPAN_COLUMNS : []));
    for (const part of m.parts) parts.add(part);
    // The compressed parts are the stream's now: let them go while the columns are decoded (72 MB at 10M spans).
    m.parts.length = 0;
    parts.finish().then((unpacked) => decode(unpacked.bytes, validated, m.metrics, unpacked),
      (err: Error) => scope.postMessage({ error: err.message ?? String(err) } satisfies DecodeReply));
  } else if ('parts' in m) {
    void (async () => {
      let bytes: Uint8Array;
      try {
        bytes = await joinBytes(m.parts, m.gzipped);
        m.parts.length = 0;
      } catch (err) {
        scope.postMessage({ error: (err as Error).message ?? String(err) } satisfies DecodeReply);
        return;
      }
      await decode(bytes, m.validated === true, m.metrics);
    })();
  }
};

/** The file part by part (`part`), then `end` (or `abort`): bytes the host's reader validated, once checked. */
function receiveStream(file: StreamRequestFile, gzipped: boolean, metrics: boolean): void {
  // Unpacked as it inflates: the columns and lane indexes are decoded while the rest of the file arrives.
  const streamed = new StreamedFile<Unpacked>(file, gzipped, (inflated) => scope.postMessage({ inflated } satisfies StreamProgress),
    // The inflated bytes are kept only when the metrics are computed here (from them, after the first paint).
    new UnpackingSink((columns, lanes) => scope.postMessage({ columns, lanes } satisfies StreamProgress), metrics));
  let refused = false;
  const refuse = (err: unknown) => {
    refused = true;
    streamed.abort();
    scope.postMessage(err instanceof FileChanged ? { changed: err.message } satisfies DecodeReply : { error: (err as Error).message ?? String(err) } satisfies DecodeReply);
  };
  scope.onmessage = (e) => {
    const m = e.data as StreamMessage;
    if (refused) return;
    try {
      if ('part' in m) streamed.add(m.part);
      else if ('abort' in m) { refused = true; streamed.abort(); }
      else if ('end' in m) {
        streamed.finish().then((unpacked) => decode(unpacked.bytes, true, metrics, unpacked), refuse);
      }
    } catch (err) {
      refuse(err);
    }
  };
}
/**
 * A standalone page's own report, part by part as the browser parses the page (`part`), then
 * `end` (or `abort`): inflated and unpacked as the parts come; with the metrics, handed over once
 * its shape is checked and validated in full with them (report-decoder.ts decodePageParts), else
 * validated in full first.
 */
function receivePageParts(metrics: boolean): void {
  // For the metrics, the compressed parts are kept and inflated again once the page has drawn: the
  // inflated blob kept instead is 26 MB more written before the first paint at 1M spans (each page
  // of memory written for the first time costs; ~13 µs on a virtual machine), the parts ~10 MB that are here anyway.
  const kept: Uint8Array[] = [];
  // With the metrics, the full check comes with them, after the first paint (report-decoder.ts decodePageParts).
  const parts = new InflatingParts<Unpacked>(new UnpackingSink(undefined, false, metrics ? LAZY_SPAN_COLUMNS : []));
  let refused = false;
  scope.onmessage = (e) => {
    const m = e.data as StreamMessage;
    if (refused) return;
    if ('part' in m) {
      if (metrics) kept.push(m.part);
      parts.add(m.part);
    } else if ('abort' in m) { refused = true; parts.abort(); }
    else if ('end' in m) {
      parts.finish().then((unpacked) => decode(metrics ? () => gunzip(kept.splice(0)) : undefined, metrics, metrics, unpacked, metrics), (err: Error) => {
        refused = true;
        scope.postMessage({ error: err.message ?? String(err) } satisfies DecodeReply);
      });
    }
  };
}
type StreamRequestFile = Extract<StreamMessage, { stream: unknown }>['stream']['file'];

/**
 * Unpacks `bytes` (unless `unpacked` as they arrived) and hands the report over with its lane
 * indexes; then, if asked, its metrics once the page says so (from `bytes`, or the bytes they give
 * then). `checkLater`: the report was handed over on its shape alone (`validated` true), and is
 * validated in full with the metrics: if that fails, the page is told why (`refused`) instead.
 */
async function decode(bytes: Uint8Array | (() => Promise<Uint8Array>) | undefined, validated: boolean, metrics: boolean, unpacked?: Unpacked, checkLater = false): Promise<void> {
  try {
    const report = unpacked ? checkUnpacked(unpacked.report, validated) : unpackValid(bytes as Uint8Array, validated);
    const lanes = unpacked?.lanes?.length ? unpacked.lanes : timelineLanes(report);
    scope.postMessage({ report, lanes } satisfies DecodeReply, [...new Set([...columnBuffers(report), ...laneBuffers(lanes)])]);
  } catch (err) {
    scope.postMessage({ error: (err as Error).message ?? String(err) } satisfies DecodeReply);
    return;
  }
  if (!metrics) return;
  // Kept whenever the metrics are asked for (UnpackingSink keepBytes, or a page's compressed parts); without them the page computes the metrics itself.
  if (!bytes) { scope.postMessage({ analysis: undefined }); return; }
  // The page says when: once it has drawn the report (report-decoder.ts).
  await new Promise<void>((resolve) => { scope.onmessage = (m) => { if ((m.data as unknown) === METRICS_NOW) resolve(); }; });
  let report: Report;
  try {
    report = unpackValid(typeof bytes === 'function' ? await bytes() : bytes, validated && !checkLater);
  } catch (err) {
    scope.postMessage(checkLater ? { refused: (err as Error).message ?? String(err) } : { analysis: undefined });
    return;
  }
  try {
    decodeOnRead(report.spans as unknown as Record<string, unknown>);
    const metrics = analyze(report);
    let findings: string[] | undefined;
    try {
      findings = verdicts(metrics, report);
    } catch {
      // The page says why itself when it computes them.
    }
    scope.postMessage({ analysis: { metrics, findings } });
  } catch {
    // The page computes them itself then.
    scope.postMessage({ analysis: undefined });
  }
}

/** The timeline's lane indexes of a checked report, built here so the page's thread does not (seconds at ten million spans). */
function timelineLanes(report: Report): LaneIndex[] {
  return buildLaneIndexes(report.spans, laneThreads(report.threads.map((t) => t.id)));
}

function laneBuffers(lanes: LaneIndex[]): ArrayBuffer[] {
  return lanes.flatMap((l) => [l.start, l.end, l.maxEnd, l.span, l.region].map((a) => a.buffer as ArrayBuffer));
}

// Running: the page may send the bytes now (report-decoder.ts waits for this).
scope.postMessage({ ready: true });
