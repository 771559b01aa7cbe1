// extensionTestsPath entry of the untrusted-workspace suite (the harness starts a second server
// with workspace trust on for it).
import { runMocha, suiteFiles } from '../mocha-run';

export function run(): Promise<void> {
  return runMocha(suiteFiles(__dirname));
}
