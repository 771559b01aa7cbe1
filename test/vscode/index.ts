// extensionTestsPath entry of the main suite: VS Code calls run() inside the extension host.
import * as path from 'node:path';
import { runMocha, suiteFiles } from './mocha-run';

export function run(): Promise<void> {
  return runMocha(suiteFiles(path.join(__dirname, 'suite')));
}
