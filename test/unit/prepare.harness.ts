// Installs, once per machine, the third-party programs the unit and browser suites drive from
// the npm registry (Node 24 with Firefox Profiler's CLI and speedscope; eslint, vitest and
// poolifier). `npm test` runs it before the suites, under a time limit of its own: on a cold
// machine these installs take minutes, which is set-up, not the 3 minutes a test file may take.
// usage: node out/test/unit/prepare.harness.js
import { consumers } from './interop-tools';
import { ensureInteropModules } from './interop-pools-helpers';

async function main(): Promise<void> {
  const t0 = Date.now();
  ensureInteropModules();
  await consumers();
  console.log(`test-all: interop consumers ready (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
}

main().catch((err: Error) => {
  console.error(`test-all: installing the interop consumers failed: ${err.message}`);
  process.exitCode = 1;
});
