// The planted profile of late samples shared by the cap's model test and its browser test.
import type { CpuProfile } from '../../src/model/report';
import { buildProfile } from './model-build';

const URL = 'file:///work/app/t.js';
const MS = 1000;

/**
 * root > task > {spin, other}, root > (idle). 20 spin samples 1 ms apart, the 20th (at 20 ms)
 * followed by a 300 ms delta to another spin sample (excess 290 ms, under spin); 10 'other' samples, the last
 * followed by a 200 ms delta to a spin sample (excess 190 ms, under task, the frame both share);
 * 5 spin samples, the last followed by 100 ms to an (idle) sample (excess 90 ms, at the root).
 */
export function plantedLateProfile(late: boolean): CpuProfile {
  const samples: [number, number][] = [];
  for (let i = 0; i < 20; i++) samples.push([3, MS]);
  samples.push([3, late ? 300 * MS : MS]);
  for (let i = 0; i < 10; i++) samples.push([4, MS]);
  samples.push([3, late ? 200 * MS : MS]);
  for (let i = 0; i < 4; i++) samples.push([3, MS]);
  samples.push([5, late ? 100 * MS : MS]);
  const end = samples.reduce((t, s) => t + s[1], 0) + MS;
  return buildProfile([[1, '(root)', '', -1, [2, 5]], [2, 'task', URL, 0, [3, 4]], [3, 'spin', URL, 5, []], [4, 'other', URL, 9, []], [5, '(idle)', '', -1, []]], samples, end);
}

