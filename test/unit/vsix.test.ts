// `npm run package`: each platform's .vsix carries its own esbuild binary package and no other.
// Builds this machine's target and a foreign one (win32-x64) with scripts/package-vsix.mjs; the
// binary packages come from the npm registry (cached after the first run).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { packageRoot } from '../../src/runner/paths';

interface ZipEntry { name: string; method: number; compressedSize: number; offset: number }

/** The entries of a zip file, from its central directory (a .vsix is a zip; no zip64 needed at this size). */
function zipEntries(zip: Buffer): ZipEntry[] {
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  assert.ok(eocd >= 0, 'not a zip file: no end of central directory');
  const count = zip.readUInt16LE(eocd + 10);
  let p = zip.readUInt32LE(eocd + 16);
  const entries: ZipEntry[] = [];
  for (let i = 0; i < count; i++) {
    assert.equal(zip.readUInt32LE(p), 0x02014b50, `central directory entry ${i} malformed`);
    const nameLength = zip.readUInt16LE(p + 28);
    const extraLength = zip.readUInt16LE(p + 30);
    const commentLength = zip.readUInt16LE(p + 32);
    entries.push({
      name: zip.toString('utf8', p + 46, p + 46 + nameLength), method: zip.readUInt16LE(p + 10),
      compressedSize: zip.readUInt32LE(p + 20), offset: zip.readUInt32LE(p + 42),
    });
    p += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

function readEntry(zip: Buffer, e: ZipEntry): Buffer {
  const data = e.offset + 30 + zip.readUInt16LE(e.offset + 26) + zip.readUInt16LE(e.offset + 28);
  const raw = zip.subarray(data, data + e.compressedSize);
  return e.method === 0 ? raw : inflateRawSync(raw);
}

/** VS Code target of this machine, as the packaging script names it. */
function hostTarget(): string {
  const arch = process.arch === 'arm' ? 'armhf' : process.arch;
  const glibc = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header?.glibcVersionRuntime;
  return `${process.platform === 'linux' && !glibc ? 'alpine' : process.platform}-${arch}`;
}

/** The @esbuild package each VS Code target must carry (Alpine runs esbuild's static Linux binaries). */
const BINARY: Record<string, { pkg: string; executable: string }> = {
  'linux-x64': { pkg: 'linux-x64', executable: 'bin/esbuild' },
  'linux-arm64': { pkg: 'linux-arm64', executable: 'bin/esbuild' },
  'linux-armhf': { pkg: 'linux-arm', executable: 'bin/esbuild' },
  'alpine-x64': { pkg: 'linux-x64', executable: 'bin/esbuild' },
  'alpine-arm64': { pkg: 'linux-arm64', executable: 'bin/esbuild' },
  'darwin-arm64': { pkg: 'darwin-arm64', executable: 'bin/esbuild' },
  'darwin-x64': { pkg: 'darwin-x64', executable: 'bin/esbuild' },
  'win32-x64': { pkg: 'win32-x64', executable: 'esbuild.exe' },
  'win32-arm64': { pkg: 'win32-arm64', executable: 'esbuild.exe' },
};

test('package-vsix builds one .vsix per target, each with its own esbuild binary package only', { timeout: 170_000 }, () => {
  const root = packageRoot();
  const host = hostTarget();
  const targets = host === 'win32-x64' ? [host, 'linux-arm64'] : [host, 'win32-x64'];
  const out = mkdtempSync(join(tmpdir(), 'parprof-vsix-'));
  try {
    // What the build (run before the suites) put in dist/, as `npm run package` packages it after building.
    const args = [join(root, 'scripts', 'package-vsix.mjs'), '--no-build', '--out', out];
    for (const t of targets) args.push('--target', t);
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
    const r = spawnSync(process.execPath, args, { cwd: root, env, encoding: 'utf8', timeout: 150_000 });
    assert.equal(r.status, 0, `package-vsix exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
    const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
    assert.deepEqual(readdirSync(out).sort(), targets.map((t) => `parallel-profiler-${t}-${version}.vsix`).sort());

    const esbuildVersion = (JSON.parse(readFileSync(join(root, 'node_modules', 'esbuild', 'package.json'), 'utf8')) as { version: string }).version;
    for (const target of targets) {
      const zip = readFileSync(join(out, `parallel-profiler-${target}-${version}.vsix`));
      const entries = zipEntries(zip);
      const names = entries.map((e) => e.name);
      const binary = BINARY[target]!;
      const binaryPackages = [...new Set(names.filter((n) => n.startsWith('extension/node_modules/@esbuild/')).map((n) => n.split('/')[3]))];
      assert.deepEqual(binaryPackages, [binary.pkg], `${target}: @esbuild packages`);
      assert.ok(names.includes(`extension/node_modules/@esbuild/${binary.pkg}/${binary.executable}`), `${target}: no esbuild executable`);
      const manifest = entries.find((e) => e.name === `extension/node_modules/@esbuild/${binary.pkg}/package.json`);
      assert.ok(manifest, `${target}: no @esbuild/${binary.pkg}/package.json`);
      assert.equal((JSON.parse(readEntry(zip, manifest).toString('utf8')) as { version: string }).version, esbuildVersion, `${target}: binary version`);
      assert.ok(names.includes('extension/node_modules/esbuild/lib/main.js'), `${target}: esbuild's JS API`);
      for (const f of ['extension/dist/extension.js', 'extension/dist/runtime/preload.js', 'extension/dist/runtime/worker.js', 'extension/dist/webview.js', 'extension/package.json']) {
        assert.ok(names.includes(f), `${target}: ${f} missing`);
      }
      const stray = names.filter((n) => /\.map$|^extension\/(src|test|out|bench|scripts|webview|docs)\/|screenshot\.png$|^extension\/dist\/types\//.test(n));
      assert.deepEqual(stray, [], `${target}: files the extension does not load`);
      const vsixManifest = readEntry(zip, entries.find((e) => e.name === 'extension.vsixmanifest')!).toString('utf8');
      assert.match(vsixManifest, new RegExp(`TargetPlatform="${target}"`), `${target}: vsixmanifest target`);
      const pkg = JSON.parse(readEntry(zip, entries.find((e) => e.name === 'extension/package.json')!).toString('utf8')) as Record<string, unknown>;
      assert.equal(pkg.files, undefined, `${target}: the npm package's files list does not belong in the extension manifest`);
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
