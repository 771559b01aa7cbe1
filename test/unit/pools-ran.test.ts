// poolsRan (summary.ts): the threads and schedules the run's pools ran with, for the summary view's
// header; never the defaults of meta.pool, which a pool's own settings override.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../../src/model/analysis';
import { formatSummary, poolsRan } from '../../src/model/summary';
import { buildReport } from './model-build';

test('poolsRan: the regions\' threads and schedules, not meta.pool', () => {
  const own = buildReport({ workers: 2, regions: [{ name: 'map skewedItem', schedule: 'static', threads: 2 }] });
  own.meta.pool = { threads: 3, schedule: 'steal' };
  assert.equal(poolsRan(own), '2 threads, schedule static');
  const two = buildReport({ workers: 4, regions: [{ name: 'a', schedule: 'static', threads: 4 }, { name: 'b', schedule: 'dynamic', threads: 2 }, { name: 'c', threads: 1, schedule: 'static' }] });
  assert.equal(poolsRan(two), '1 / 2 / 4 threads, schedules static, dynamic');
  assert.equal(poolsRan(buildReport({ workers: 1, regions: [{ name: 'a', threads: 1, schedule: 'steal' }] })), '1 thread, schedule steal');
  // Sequential (threads 0) and a third-party pool count no threads; their schedules are named.
  const mixed = buildReport({ workers: 2, regions: [{ name: 'inline', threads: 0, schedule: 'static' }, { name: 'piscina', kind: 'external', schedule: 'external', fn: 'piscina', threads: 2 }] });
  assert.equal(poolsRan(mixed), "schedules sequential, piscina's own");
});

test('parprof report header: a pool given its own threads under --threads 0 is not called sequential', () => {
  const own = buildReport({ workers: 2, regions: [{ name: 'map a', schedule: 'static', threads: 2 }], spans: [{ thread: 1, start: 0, end: 500 }] });
  own.meta.pool = { threads: 0, schedule: 'steal' };
  const header = formatSummary(own, analyze(own)).split('\n')[1];
  assert.match(header, /· schedule static ·/, header);
  assert.doesNotMatch(header, /sequential/, header);
  const inline = buildReport({ workers: 0, regions: [{ name: 'map a', schedule: 'static', threads: 0 }], spans: [{ thread: 0, start: 0, end: 500 }] });
  inline.meta.pool = { threads: 0, schedule: 'steal' };
  assert.match(formatSummary(inline, analyze(inline)).split('\n')[1], /· schedule sequential ·/);
});
