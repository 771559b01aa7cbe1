// The report decoder's worker (a Web Worker made from a blob: report-decoder.ts). It inflates and
// unpacks a packed report (packed-report.ts), validates it, narrows its integer columns and hands
// the columns back as transferred ArrayBuffers: the page's thread stays free meanwhile and no
// column is copied on the way back. Built on its own and inlined in the views' bundle
// (scripts/build.mjs defines __DECODE_WORKER_SOURCE__).
import { columnBuffers } from '../src/model/packed-report';
import { decodeReportBytes, type DecodeReply, type DecodeRequest } from './report-decoder';

const scope = self as unknown as { onmessage: ((e: MessageEvent<DecodeRequest>) => void) | null; postMessage(m: DecodeReply | { ready: true }, transfer?: Transferable[]): void };

scope.onmessage = async (e) => {
  try {
    const report = await decodeReportBytes(e.data.parts, e.data.gzipped);
    scope.postMessage({ report }, columnBuffers(report));
  } catch (err) {
    scope.postMessage({ error: (err as Error).message ?? String(err) });
  }
};

// Running: the page may send the bytes now (report-decoder.ts waits for this).
scope.postMessage({ ready: true });
