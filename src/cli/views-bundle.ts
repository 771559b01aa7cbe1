// The views bundle (dist/webview.js) that every standalone page the CLI writes embeds.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../runner/paths';

/** The bundle's text; an Error of one line when it is missing (the package was not built). */
export function viewsBundle(): string {
  const bundlePath = join(packageRoot(), 'dist', 'webview.js');
  try {
    return readFileSync(bundlePath, 'utf8');
  } catch {
    throw new Error(`cannot read the views bundle ${bundlePath} (run the build first)`);
  }
}
