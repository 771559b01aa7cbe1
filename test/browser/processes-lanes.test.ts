// Lanes of a report of several processes come grouped by process, each group headed by its
// process (pid and title), the rest of its lanes saying whose they are in their tooltip.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CHILD, PARENT, twoProcesses } from '../unit/processes-build';
import { launch, openReport, showView } from './browser';

test('timeline lanes are grouped by process with a header on each group\'s first lane', async () => {
  const report = twoProcesses(false);
  report.processes![1].title = 'fork of <b>main.js</b>';
  report.processes![1].died = { at: 500_000, reason: 'killed by SIGKILL' };
  const b = await launch();
  try {
    const p = await openReport(b, report, 'processes');
    await showView(p.page, 'timeline');
    await p.page.waitForSelector('#timeline-lanes li');
    const lanes = await p.page.$$eval('#timeline-lanes li', (li) => li.map((e) => [Number(e.getAttribute('data-thread')), Number(e.getAttribute('data-process')),
      e.querySelector('.pp-process-head')?.textContent ?? null, e.querySelector('button')?.textContent, e.getAttribute('title')]));
    assert.deepEqual(lanes, [
      [0, PARENT, `pid ${PARENT} · main process main.js`, 'main', `main — process ${PARENT} (main process main.js)`],
      [1, PARENT, null, 'worker 1', `worker 1 — process ${PARENT} (main process main.js)`],
      [2, PARENT, null, 'worker 2', `worker 2 — process ${PARENT} (main process main.js)`],
      [3, CHILD, `pid ${CHILD} · fork of <b>main.js</b>`, 'main', `main — process ${CHILD} (fork of <b>main.js</b>), died: killed by SIGKILL`],
      [4, CHILD, null, 'child 1', `child 1 — process ${CHILD} (fork of <b>main.js</b>), died: killed by SIGKILL`],
      [5, CHILD, null, 'child 2', `child 2 — process ${CHILD} (fork of <b>main.js</b>), died: killed by SIGKILL`],
    ]);
    // The title is text: no element was made of it.
    assert.equal(await p.page.$$eval('#timeline-lanes b', (x) => x.length), 0);
    assert.deepEqual(p.errors, []);
  } finally {
    await b.close();
  }
});
