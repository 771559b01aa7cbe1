// A packed report unpacked while its inflated bytes arrive (the decoder's worker, for a file the
// page fetches): src/model/packed-stream.ts, with the timeline's lane indexes built as soon as the
// span columns they read are decoded, so that most of the decoding happens while the file is still
// on its way. The inflated file is never whole in memory, unless `keepBytes` (the worker unpacks it
// again for the metrics). Nothing leaves the worker before the file is checked against what the
// host's reader validated (streamed-file.ts): bytes that turn out not to be that file are only
// ever decoded into arrays that are then dropped.
import type { Report } from '../src/model/report';
import { LAZY_SPAN_COLUMNS } from '../src/model/packed-report';
import { PackedStreamUnpacker, type StreamUnpacked } from '../src/model/packed-stream';
import { jsonNestingProblem } from '../src/model/validate-values';
import { buildLaneIndexes, laneThreads, type LaneIndex } from './layout-timeline';
import type { InflatedSink } from './streamed-file';

/** The blob unpacked (not yet shape-checked), its bytes when kept (keepBytes) and its lane indexes. */
export type Unpacked = StreamUnpacked<LaneIndex[]>;

export class UnpackingSink extends PackedStreamUnpacker<LaneIndex[]> implements InflatedSink<Unpacked> {
  /**
   * `decoded`: told the columns decoded so far, and whether the lane indexes are built, each time
   * that grows. `keepBytes`: keep the whole inflated blob (Unpacked.bytes). `lazy`: the span columns
   * left encoded until read; none for bytes validated in full afterwards (validation reads them
   * all). The lane indexes are built from the columns as they come either way: from typed
   * columns of the length decoded, linear; a report that then fails validation is refused with them.
   */
  constructor(decoded: (columns: number, lanes: boolean) => void = () => undefined, keepBytes = false, lazy: readonly string[] = LAZY_SPAN_COLUMNS) {
    super({
      lazy,
      keepBytes,
      decoded,
      checkHeader: (header) => {
        const deep = jsonNestingProblem(header);
        if (deep) throw new Error(deep);
      },
      lanes: (c) => buildLaneIndexes({ count: c.count, thread: c.thread, start: c.start, end: c.end, region: c.region } as unknown as Report['spans'], laneThreads(c.threadIds)),
    });
  }
}
