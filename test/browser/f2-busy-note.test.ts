// Tryout finding 9: the sweep and A/B pages left out the CLI's busy-machine note. Real runs
// beside CPU hogs (threads wait for a core), then `parprof report --html`: the page carries the
// note in the CLI's words (busyMachineSentence, sweep-tables.ts), and a sweep's notes draw no
// wall-time conclusion but give the critical path's speedups; a run with no wait shows no note.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { sweepScaling } from '../../src/model/sweep-analysis';
import { parseSweepReport } from '../../src/model/sweep-report';
import { busyContext, busyMachineNote, busyMachineSentence, scalingNotes } from '../../src/model/sweep-tables';
import { packageRoot } from '../../src/runner/paths';
import { launch, type Browser } from './browser';

const root = packageRoot();
const out = mkdtempSync(join(tmpdir(), 'parprof-f2-page-'));

function parprof(args: string[], env: Record<string, string> = {}): string {
  const r = spawnSync(process.execPath, [join(root, 'dist', 'cli.js'), ...args], { cwd: join(root, 'test', 'fixtures'), encoding: 'utf8', timeout: 240_000, env: { ...process.env, ...env } });
  assert.equal(r.status, 0, `parprof ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

describe('busy-machine note on the sweep and A/B pages', () => {
  let b: Browser;
  const hogs: ChildProcess[] = [];
  let sweepFile: string, abFile: string, sweepText: string, abText: string;
  before(async () => {
    for (let i = 0; i < 3; i++) hogs.push(spawn(process.execPath, ['-e', 'for(;;);'], { stdio: 'ignore' }));
    sweepFile = join(out, 'even.parprof-sweep.json');
    abFile = join(out, 'split.parprof-sweep.json');
    sweepText = parprof(['sweep', '--threads', '0,2', '--repeat', '1', '--out', sweepFile, 'f2-split.js'], { SERIAL: '100', EVEN: '1' });
    abText = parprof(['ab', '--schedule', 'static,dynamic', '--threads', '2', '--repeat', '1', '--out', abFile, 'f2-split.js']);
    for (const h of hogs) h.kill('SIGKILL');
    b = await launch();
  });
  after(async () => { for (const h of hogs) h.kill('SIGKILL'); await b?.close(); rmSync(out, { recursive: true, force: true }); });

  for (const kind of ['sweep', 'ab'] as const) {
    test(`${kind}: the page's note is the CLI's, word for word; none when no thread waited`, async () => {
      const file = kind === 'sweep' ? sweepFile : abFile;
      const report = parseSweepReport(readFileSync(file, 'utf8'));
      const runs = report.variants.flatMap((v) => v.runs);
      const html = join(out, `${kind}.html`);
      parprof(['report', file, '--html', html]);
      const page = await b.context.newPage();
      await page.goto(pathToFileURL(html).href);
      await page.waitForSelector('.pp-sweep');
      const shown = await page.$$eval('.pp-busy-note', (ps) => ps.map((p) => p.textContent));
      const note = busyMachineNote(runs);
      if (note.length === 0) {
        assert.deepEqual(shown, []);
      } else {
        // The CLI printed these lines; the page shows them as one paragraph.
        assert.ok((kind === 'sweep' ? sweepText : abText).includes(note.join('\n')));
        assert.deepEqual(shown, [busyMachineSentence(runs)]);
        assert.match(shown[0]!, /^note: the machine was busy — in \d+ of \d+ runs? a thread waited for a core up to \d+(\.\d+)? % of the time it had code to run; wall times include that wait/);
      }
      if (kind === 'sweep') {
        const whole = sweepScaling(report)[0];
        const notes = await page.$$eval('.pp-sweep-subject[data-key=""] .pp-sweep-notes li', (li) => li.map((l) => l.textContent));
        assert.deepEqual(notes, scalingNotes(whole.scaling!, report.cores, busyContext(report, whole)));
        if (note.length) {
          assert.ok(notes.some((n) => n!.startsWith('serial fraction: not judged from these wall times')), notes.join('\n'));
          assert.ok(notes.some((n) => n!.startsWith('on the critical path')), notes.join('\n'));
          assert.ok(!notes.some((n) => /more threads made it slower/.test(n!)), notes.join('\n'));
        }
      }
      await page.close();
    });
  }
});
