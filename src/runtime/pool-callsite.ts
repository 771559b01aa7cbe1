// The source location of the user's call into the pool, for Region.callSite.
import { fileURLToPath } from 'node:url';

const FRAME = /\(?((?:file:\/\/)?[^\s()]+):(\d+):(\d+)\)?$/;

/**
 * The first frame of `stack` outside the pool's own file (`self`) and Node's internals.
 * Line and column are 1-based, as V8 prints them.
 */
export function callSiteOf(stack: string | undefined, self: string): { file: string; line: number; column: number } | undefined {
  if (!stack) return undefined;
  for (const line of stack.split('\n').slice(1)) {
    const m = FRAME.exec(line.trim());
    if (!m) continue;
    let file = m[1];
    if (file.startsWith('node:') || file === self) continue;
    if (file.startsWith('file://')) {
      try { file = fileURLToPath(file); } catch { continue; }
      if (file === self) continue;
    }
    return { file, line: Number(m[2]), column: Number(m[3]) };
  }
  return undefined;
}
