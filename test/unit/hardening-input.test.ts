// Issue 13, item 2 (input sizes): `parprof report` on a folder, a device, a FIFO, an oversized file
// or a gzip bomb ends with one line and exit 2, never a hang or a 6 GB process.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import { MAX_REPORT_BYTES } from '../../src/model/limits';
import { ReportError, parseReport, parseReportAsync, serializeReport } from '../../src/model/load';
import { syntheticReport } from '../../src/model/synthetic';
import { ReportFileError, readReportFile } from '../../src/runner/read-report';
import { packageRoot } from '../../src/runner/paths';

const dir = mkdtempSync(join(tmpdir(), 'parprof-hardening-input-'));

/** The built CLI; a hang would show as the 60 s kill (status null), not as a pass. */
function parprof(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(packageRoot(), 'dist', 'cli.js'), ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function oneLine(r: { code: number | null; stderr: string }, expected: RegExp, what: string): void {
  assert.equal(r.code, 2, `${what}: exit 2, got ${r.code} (${r.stderr})`);
  assert.match(r.stderr, expected, what);
  assert.equal(r.stderr.split('\n').length, 2, `${what}: one line, got ${JSON.stringify(r.stderr)}`);
}

/** Gzip of `members` × 64 MiB of zeros, as concatenated gzip members (valid gzip; each member is ~64 KB). */
function zeroBomb(members: number): Buffer {
  const member = gzipSync(Buffer.alloc(64 * 2 ** 20), { level: 9 });
  return Buffer.concat(Array.from({ length: members }, () => member));
}

test('a folder, a device and a FIFO are refused by type, before any read', () => {
  // A folder may be read as the profiles of node --cpu-prof; one with none is refused in one line.
  oneLine(parprof('report', dir), /^parprof: .* is a folder\b/m, 'folder');
  oneLine(parprof('report', '/dev/zero'), /^parprof: \/dev\/zero is a device, not a report file$/m, '/dev/zero');
  const fifo = join(dir, 'fifo.parprof');
  assert.equal(spawnSync('mkfifo', [fifo]).status, 0, 'mkfifo');
  oneLine(parprof('report', fifo), /^parprof: .*fifo\.parprof is a pipe \(FIFO\), not a report file$/m, 'FIFO with no writer');
  assert.throws(() => readReportFile(fifo), ReportFileError);
});

test('a file over the size limit is refused without being read whole', () => {
  const file = join(dir, 'big.parprof');
  writeFileSync(file, serializeReport(syntheticReport({ threads: 2, spans: 2000, profiles: 0, samplesPerProfile: 0 })));
  assert.throws(() => readReportFile(file, 4096), (e: unknown) => e instanceof ReportFileError && /big\.parprof is too large: .* the limit is 0 MiB/.test(e.message));
  assert.ok(readReportFile(file).spans.count === 2000, 'the same file under the default limit reads');
});

test(`a gzip bomb stops at the ${MAX_REPORT_BYTES / 2 ** 20} MiB cap with one line (CLI) and a ReportError (in process)`, async () => {
  const bomb = zeroBomb(Math.ceil(MAX_REPORT_BYTES / (64 * 2 ** 20)) + 1);
  assert.ok(bomb.length < 2 ** 20, `the bomb is small: ${bomb.length} bytes`);
  const file = join(dir, 'bomb.parprof.gz');
  writeFileSync(file, bomb);
  oneLine(parprof('report', file), /^parprof: .*bomb\.parprof\.gz: report decompresses to more than 512 MiB, the limit$/m, 'bomb');
  // A smaller cap in process: the same errors without half a gigabyte of zeros in this test.
  const small = zeroBomb(1);
  const max = 16 * 2 ** 20;
  const capped = (b: Uint8Array, m: number) => gunzipSync(b, { maxOutputLength: m });
  assert.throws(() => parseReport(small, { gunzip: capped, maxBytes: max }), /^ReportError: report decompresses to more than 16 MiB, the limit$/);
  // A caller whose gunzip ignores the cap still gets a ReportError (it used to be a plain Error from TextDecoder).
  assert.throws(() => parseReport(small, { gunzip: (b) => gunzipSync(b), maxBytes: max }), (e: unknown) => e instanceof ReportError);
  await assert.rejects(parseReportAsync(small, { maxBytes: max }), /^ReportError: report decompresses to more than 16 MiB, the limit$/);
});
