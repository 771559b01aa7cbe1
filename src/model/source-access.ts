// Which source files a report's views may open in the editor. The webview asks the host to open
// a file by path (`open-source`); a report is untrusted input (a cloned repository can hold any
// .parprof), so the host opens only what the report's own profiles or call sites name, and only
// inside the workspace or the script's folder. Pure: the host checks that the file exists.
import type { Report } from './report';

/** A path with '/' separators, '.' and '..' resolved, no trailing '/'; undefined for a relative or odd path. */
export function normalAbsolute(path: string): string | undefined {
  let p = path;
  if (p.startsWith('file://')) {
    try {
      p = decodeURIComponent(new URL(p).pathname);
    } catch {
      return undefined;
    }
    // file:///C:/x on Windows
    if (/^\/[A-Za-z]:\//.test(p)) p = p.slice(1);
  }
  p = p.replace(/\\/g, '/');
  const drive = /^[A-Za-z]:\//.exec(p)?.[0] ?? '';
  if (!drive && !p.startsWith('/')) return undefined;
  if (p.includes('\0')) return undefined;
  const out: string[] = [];
  for (const part of p.slice(drive ? drive.length : 1).split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length === 0) return undefined;
      out.pop();
    } else out.push(part);
  }
  return (drive || '/') + out.join('/');
}

/** Every file the report names: its profiles' frame URLs and its regions' call sites, normalised. */
export function filesNamedBy(report: Report): Set<string> {
  const named = new Set<string>();
  const add = (f: string | undefined) => {
    const n = f ? normalAbsolute(f) : undefined;
    if (n) named.add(n);
  };
  for (const tp of report.profiles) for (const node of tp.profile.nodes) add(node.callFrame.url);
  for (const r of report.regions) add(r.callSite?.file);
  add(report.meta.script);
  return named;
}

function inside(file: string, root: string): boolean {
  return file === root || file.startsWith(root.endsWith('/') ? root : `${root}/`);
}

/**
 * Whether the views may open `file`: the report names it, and it lies inside one of `roots` (the
 * workspace folders and the folder of the report's script). Returns the normalised path, or a
 * sentence saying why not.
 */
export function sourceAccess(file: string, named: Set<string>, roots: string[]): { ok: true; path: string } | { ok: false; why: string } {
  const path = normalAbsolute(file);
  if (!path) return { ok: false, why: `not an absolute file path: ${JSON.stringify(file.slice(0, 200))}` };
  if (!named.has(path)) return { ok: false, why: `the report names no such source file: ${path}` };
  const normalRoots = roots.map(normalAbsolute).filter((r): r is string => r !== undefined);
  if (!normalRoots.some((r) => inside(path, r))) return { ok: false, why: `${path} is outside the workspace and the script's folder` };
  return { ok: true, path };
}
