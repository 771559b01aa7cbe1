// extensionTestsPath entry of the main suite: VS Code calls run() inside the extension host.
// PARPROF_VSCODE_SUITES (a regular expression on file names, e.g. '^9') runs only those suite files.
import * as path from 'node:path';
import { runMocha, suiteFiles } from './mocha-run';

export function run(): Promise<void> {
  const only = process.env.PARPROF_VSCODE_SUITES ? new RegExp(process.env.PARPROF_VSCODE_SUITES) : undefined;
  return runMocha(suiteFiles(path.join(__dirname, 'suite')).filter((f) => !only || only.test(path.basename(f))));
}
