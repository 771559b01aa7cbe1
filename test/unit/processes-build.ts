// A hand-built report of two processes whose answers are known, for the model and view tests.
import type { Report } from '../../src/model/report';
import { buildProfile, buildReport } from './model-build';

export const PARENT = 4100, CHILD = 4200;

/**
 * The script (pid 4100: main + workers 1, 2) and a forked child (pid 4200: main 3, workers 4, 5),
 * each running one region of 4 spans of 100 ms on its 2 workers, on 2 cores. `overlap`: the
 * child's region runs at the same time as the parent's, else after it.
 */
export function twoProcesses(overlap: boolean): Report {
  const childStart = overlap ? 0 : 300_000;
  const spans = [1, 2, 1, 2].map((thread, k) => ({ thread, start: k < 2 ? 0 : 100_000, end: k < 2 ? 100_000 : 200_000, region: 0 }));
  spans.push(...[4, 5, 4, 5].map((thread, k) => ({ thread, start: childStart + (k < 2 ? 0 : 100_000), end: childStart + (k < 2 ? 100_000 : 200_000), region: 1 })));
  spans.sort((a, b) => a.start - b.start);
  const r = buildReport({ workers: 2, durationUs: 600_000, spans, regions: [
    { name: 'parent job', start: 0, end: 200_000, threads: 2, pool: 0 },
    { name: 'child job', start: childStart, end: childStart + 200_000, threads: 2, pool: 1 },
  ] });
  r.threads.push({ id: 3, name: 'main', kind: 'main', start: 0, end: 550_000 });
  for (const id of [4, 5]) r.threads.push({ id, name: `child ${id - 3}`, kind: 'worker', pool: 1, start: 0, end: 550_000 });
  for (const t of r.threads) {
    t.process = t.id < 3 ? PARENT : CHILD;
    if (t.id >= 3) t.threadId = t.id - 3;
  }
  r.regions[0].process = PARENT;
  r.regions[1].process = CHILD;
  r.processes = [
    { pid: PARENT, startedBy: 'main', script: '/work/app/main.js', args: [], title: 'main process main.js', start: 0, end: 600_000, exit: { code: 0, signal: null } },
    { pid: CHILD, ppid: PARENT, startedBy: 'fork', script: '/work/app/main.js', args: ['child'], title: 'fork of main.js', spawned: 0, start: 1, end: 550_000, exit: { code: 0, signal: null } },
  ];
  r.profiles = [4, 5].map((thread) => ({ thread, profile: buildProfile([[1, '(root)', '', 0, [2]], [2, `spin${thread}`, '/work/app/main.js', 3, []]], [[2, 1000], [2, 1000]], 2000) }));
  return r;
}
