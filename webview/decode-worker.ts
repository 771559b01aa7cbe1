// The report decoder's worker (a Web Worker made from a blob: report-decoder.ts). It inflates and
// unpacks a packed report (packed-report.ts), validates it, narrows its integer columns and hands
// the columns back as transferred ArrayBuffers: the page's thread stays free meanwhile and no
// column is copied on the way back. When asked, once the page has drawn, it unpacks the bytes again (the columns
// it had are the page's now) and computes the report's metrics and findings, so the page never
// runs analyze or advise.
// Built on its own and inlined in the views' bundle (scripts/build.mjs, __DECODE_WORKER_SOURCE__).
import { columnBuffers, decodeOnRead } from '../src/model/packed-report';
import { analyze } from '../src/model/analysis';
import { verdicts } from '../src/model/summary';
import { joinBytes, METRICS_NOW, unpackValid, type DecodeReply, type DecodeRequest } from './report-decoder';

const scope = self as unknown as { onmessage: ((e: MessageEvent<DecodeRequest>) => void) | null; postMessage(m: unknown, transfer?: Transferable[]): void };

scope.onmessage = async (e) => {
  let bytes: Uint8Array;
  try {
    bytes = await joinBytes(e.data.parts, e.data.gzipped);
    // The compressed parts are done with: let them go while the columns are decoded (72 MB at 10M spans).
    e.data.parts.length = 0;
    const report = unpackValid(bytes, e.data.validated === true);
    scope.postMessage({ report } satisfies DecodeReply, columnBuffers(report));
  } catch (err) {
    scope.postMessage({ error: (err as Error).message ?? String(err) } satisfies DecodeReply);
    return;
  }
  if (!e.data.metrics) return;
  // The page says when: once it has drawn the report (report-decoder.ts).
  await new Promise<void>((resolve) => { scope.onmessage = (m) => { if ((m.data as unknown) === METRICS_NOW) resolve(); }; });
  try {
    const report = unpackValid(bytes, e.data.validated === true);
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
};

// Running: the page may send the bytes now (report-decoder.ts waits for this).
scope.postMessage({ ready: true });
