// A piscina worker waiting for its next task blocks in Atomics.wait (piscina's wait loop), which
// V8 samples as the waiting function's stack, not '(idle)': the recorder's Atomics.wait wrapper
// calls through waitForWork while no task of the pool is in flight on the thread, and the model
// counts those samples as idle. Before, a worker that waited 242 ms read 242 ms of 'parprof
// runtime' self time and as many busy samples. Real piscina and tinypool (the same wait loop)
// from npm, real threads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../../src/model/analysis';
import { indexProfile } from '../../src/model/profile-index';
import { formatSummary } from '../../src/model/summary';
import { record } from './record-helpers';

for (const lib of ['piscina', 'tinypool']) test(`${lib} workers waiting for work: their wait is idle samples, not the runtime's self time`, async () => {
  const { report, stdout, stderr } = await record('piscina-idle.js', { args: [lib] });
  assert.match(stdout, /done/, stderr);
  const metrics = analyze(report);
  const workers = report.threads.filter((t) => t.kind === 'worker');
  assert.equal(workers.length, 2);
  for (const w of workers) {
    const tp = report.profiles.find((p) => p.thread === w.id);
    assert.ok(tp, `${w.name} was profiled`);
    const ix = indexProfile(tp.profile);
    // The wait was sampled under waitForWork, called from piscina's wait loop...
    let waiting = 0;
    for (let i = 0; i < ix.sampleNode.length; i++) {
      const n = ix.sampleNode[i];
      if (n < 0 || ix.nodes[n].callFrame.functionName !== 'waitForWork') continue;
      const parents: string[] = [];
      for (let p = ix.parent[n]; p >= 0; p = ix.parent[p]) parents.push(ix.nodes[p].callFrame.functionName);
      assert.ok(parents.includes('atomicsWaitLoop'), `waitForWork under ${parents.join(' < ')}`);
      waiting++;
    }
    assert.ok(waiting > 0, `${w.name}: no sample in piscina's wait loop`);
    // ...and those samples are idle: the thread waited for work most of the run.
    const m = metrics.threads.find((t) => t.id === w.id)!;
    assert.ok(m.idleSamples! >= waiting, `${w.name}: ${m.idleSamples} idle samples, ${waiting} waiting for work`);
    assert.ok(m.idleSamples! > m.busySamples!, `${w.name}: ${m.busySamples} busy against ${m.idleSamples} idle samples`);
  }
  // The hottest functions do not show the wait as the runtime's own time.
  const text = formatSummary(report, metrics);
  const hot = text.slice(text.indexOf('Hottest functions'), text.indexOf('Findings'));
  for (const w of workers) {
    const block = hot.slice(hot.indexOf(`  ${w.name}\n`)).split('\n').slice(1, 6).join('\n');
    const runtime = /^\s+([\d.]+) ms self .*parprof runtime$/m.exec(block);
    const wall = (w.end! - w.start) / 1000;
    assert.ok(!runtime || Number(runtime[1]) < 0.25 * wall, `${w.name} (${wall.toFixed(0)} ms): ${block}`);
  }
});
