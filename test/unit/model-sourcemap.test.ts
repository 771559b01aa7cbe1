import { test } from 'node:test';
import assert from 'node:assert/strict';
import { transformSync } from 'esbuild';
import { applySourceMaps } from '../../src/model/sourcemap';
import type { RawSourceMap } from '../../src/model/sourcemap';
import { lineHotness } from '../../src/model/lines';
import { buildProfile, buildReport } from './model-build';

// Real TypeScript compiled by esbuild: the interface and the import vanish, so generated lines differ from the source.
const source = [
  'import type { Options } from "./options";',  // 1
  'interface Point { x: number }',              // 2
  '',                                           // 3
  'export function work(p: Point): number {',   // 4
  '  let s = 0;',                               // 5
  '  for (let i = 0; i < p.x; i++) {',          // 6
  '    s += Math.sqrt(i);',                     // 7
  '  }',                                        // 8
  '  return s;',                                // 9
  '}',                                          // 10
  '',
].join('\n');

function compile(sourcefile: string) {
  const out = transformSync(source, { loader: 'ts', format: 'cjs', sourcemap: 'external', sourcefile });
  const lines = out.code.split('\n');
  const line0 = (text: string) => lines.findIndex((l) => l.includes(text));
  return { map: JSON.parse(out.map) as RawSourceMap, line0, lines };
}

function profileFor(url: string, c: ReturnType<typeof compile>) {
  const fnLine = c.line0('function work');
  return buildProfile([
    [1, '(root)', '', -1, [2, 3]],
    [2, 'work', url, fnLine, [], [{ line: c.line0('Math.sqrt') + 1, ticks: 3 }, { line: c.line0('return s') + 1, ticks: 1 }]],
    [3, 'other', 'file:///elsewhere/lib.js', 4, []],
  ], [[2, 10], [2, 10], [3, 10]], 40);
}

test('frames and positionTicks map back to the TypeScript source', () => {
  const c = compile('/src/app.ts');
  const url = 'file:///out/app.js';
  const before = profileFor(url, c);
  assert.notEqual(before.nodes[1].callFrame.lineNumber, 3, 'the generated line differs, or the test proves nothing');
  const snapshot = JSON.stringify(before);
  const after = applySourceMaps(before, [{ url, map: c.map }]);
  assert.equal(JSON.stringify(before), snapshot, 'the input is not modified');
  const work = after.nodes[1];
  assert.equal(work.callFrame.url, '/src/app.ts');
  assert.equal(work.callFrame.lineNumber, 3, '0-based line of "export function work"');
  assert.deepEqual(work.positionTicks, [{ line: 7, ticks: 3 }, { line: 9, ticks: 1 }]);
  assert.deepEqual(after.nodes[2], before.nodes[2], 'frames of scripts without a map are unchanged');
  assert.deepEqual(after.samples, before.samples);
  // The editor's hot lines now land on the .ts file.
  const files = lineHotness(buildReport({ workers: 1, profiles: [{ thread: 1, profile: after }] }));
  const ts = files.find((f) => f.file === '/src/app.ts')!;
  assert.deepEqual(ts.lines.map((l) => [l.line, l.selfUs, l.totalUs]), [[4, 0, 20], [7, 15, 15], [9, 5, 5]]);
});

test('relative sources resolve against the generated file; a path url stays a path', () => {
  const c = compile('app.ts');
  const fileUrl = applySourceMaps(profileFor('file:///proj/out/app.js', c), [{ url: 'file:///proj/out/app.js', map: c.map }]);
  assert.equal(fileUrl.nodes[1].callFrame.url, '/proj/out/app.ts');
  const path = applySourceMaps(profileFor('/proj/out/app.js', c), [{ url: '/proj/out/app.js', map: c.map }]);
  assert.equal(path.nodes[1].callFrame.url, '/proj/out/app.ts');
  assert.equal(path.nodes[1].callFrame.lineNumber, 3);
});

test('a broken map leaves the profile as it was', () => {
  const c = compile('/src/app.ts');
  const before = profileFor('file:///out/app.js', c);
  const after = applySourceMaps(before, [{ url: 'file:///out/app.js', map: { version: 3, sources: [], mappings: '!!!' } }]);
  assert.deepEqual(after, before);
});

test("the module's top-level frame maps to the top of the original file, not to its first declaration", () => {
  const c = compile('/src/app.ts');
  const url = 'file:///out/app.js';
  const profile = buildProfile([
    [1, '(root)', '', -1, [2]],
    [2, '', url, 0, [3]],
    [3, 'work', url, c.line0('function work'), [], [{ line: c.line0('Math.sqrt') + 1, ticks: 2 }]],
  ], [[3, 10], [3, 10]], 30);
  profile.nodes[1].callFrame.columnNumber = 0;
  const after = applySourceMaps(profile, [{ url, map: c.map }]);
  assert.equal(after.nodes[1].callFrame.url, '/src/app.ts');
  assert.equal(after.nodes[1].callFrame.lineNumber, 0, 'module wrapper at line 1 of app.ts');
  const ts = lineHotness(buildReport({ workers: 1, profiles: [{ thread: 1, profile: after }] })).find((f) => f.file === '/src/app.ts')!;
  assert.deepEqual(ts.lines.map((l) => l.line), [1, 4, 7], 'the module, the function declaration, the hot line; nothing on line 4 twice');
  assert.equal(ts.lines.find((l) => l.line === 4)!.totalUs, 20, 'work() is counted once on its declaration line');
});
