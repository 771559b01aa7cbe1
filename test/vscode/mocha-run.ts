// Runs mocha suites inside the extension host, the way @vscode/test-electron's `run()` entries
// do, and prints `mocha: N passed, N failed` for the harness to read.
import * as path from 'node:path';
import * as fs from 'node:fs';

/** The repository root: the nearest folder up from here whose package.json is named parallel-profiler. */
export function extensionRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg) && JSON.parse(fs.readFileSync(pkg, 'utf8')).name === 'parallel-profiler') return dir;
    if (path.dirname(dir) === dir) throw new Error(`no parallel-profiler package.json above ${__dirname}`);
  }
}

export function runMocha(files: string[], timeoutMs = 120_000): Promise<void> {
  // mocha is not bundled (it is external in scripts/build.mjs): load it from the repo's node_modules.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Mocha = require(path.join(extensionRoot(), 'node_modules', 'mocha')) as typeof import('mocha');
  const mocha = new Mocha({ ui: 'bdd', timeout: timeoutMs, color: false, reporter: 'spec' });
  for (const f of files) mocha.addFile(f);
  return new Promise((resolve, reject) => {
    try {
      mocha.run((failures) => {
        let passed = 0;
        const count = (suite: Mocha.Suite): void => {
          for (const t of suite.tests) if (t.state === 'passed') passed++;
          for (const s of suite.suites) count(s);
        };
        count(mocha.suite);
        console.log(`mocha: ${passed} passed, ${failures} failed`);
        if (failures > 0) reject(new Error(`${failures} tests failed`));
        else resolve();
      });
    } catch (e) {
      console.log('mocha: 0 passed, 1 failed');
      reject(e);
    }
  });
}

/** The suite files in `dir` (built .test.js files), sorted so the run order is stable. */
export function suiteFiles(dir: string): string[] {
  return fs.readdirSync(dir).filter((f) => f.endsWith('.test.js')).sort().map((f) => path.join(dir, f));
}
