// The views open only source files that the report names, inside the workspace or the script's folder.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { filesNamedBy, normalAbsolute, sourceAccess } from '../../src/model/source-access';
import { syntheticReport } from '../../src/model/synthetic';

test('paths are normalised; relative, NUL and climbing-out paths are refused', () => {
  assert.equal(normalAbsolute('/w/app/./lib/../x.js'), '/w/app/x.js');
  assert.equal(normalAbsolute('file:///w/app/x%20y.js'), '/w/app/x y.js');
  assert.equal(normalAbsolute('C:\\w\\app\\x.js'), 'C:/w/app/x.js');
  assert.equal(normalAbsolute('x.js'), undefined);
  assert.equal(normalAbsolute('/../etc/passwd'), undefined);
  assert.equal(normalAbsolute('/w/x\0.js'), undefined);
});

test('a file opens only when the report names it and it lies in the workspace or the script folder', () => {
  const report = syntheticReport({ threads: 2, spans: 10, profiles: 1, samplesPerProfile: 20, seed: 1 });
  report.meta.script = '/w/app/main.js';
  report.profiles[0].profile.nodes[1].callFrame.url = 'file:///w/app/lib/work.js';
  report.profiles[0].profile.nodes[2].callFrame.url = '/etc/passwd';
  report.regions[0].callSite = { file: '/w/app/main.js', line: 3, column: 1 };
  const named = filesNamedBy(report);
  const roots = ['/w/app'];
  assert.deepEqual(sourceAccess('/w/app/lib/work.js', named, roots), { ok: true, path: '/w/app/lib/work.js' });
  assert.deepEqual(sourceAccess('file:///w/app/main.js', named, roots), { ok: true, path: '/w/app/main.js' });
  // Named by the report, but outside: a hostile report cannot make a click open it.
  assert.match((sourceAccess('/etc/passwd', named, roots) as { why: string }).why, /outside the workspace/);
  // Inside, but not named by the report.
  assert.match((sourceAccess('/w/app/.env', named, roots) as { why: string }).why, /names no such source file/);
  // Climbing out with '..' is the same file as its normal form.
  assert.match((sourceAccess('/w/app/../../etc/passwd', named, roots) as { why: string }).why, /outside the workspace/);
  assert.match((sourceAccess('/w/apple/x.js', new Set(['/w/apple/x.js']), roots) as { why: string }).why, /outside/, 'a sibling folder with the same prefix is outside');
});
