// A standalone page of a large report carries it in parts, with its bundle first and a call after
// each part (html-report.ts): in a real Chromium, each part goes to the decoder's worker as soon
// as the browser has parsed it, so the report inflates and unpacks while the browser parses the
// rest. The report drawn is the model's; a page that is cut short, out of order or damaged says
// why in one line and draws nothing; without a worker the page decodes the parts itself.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { syntheticReport } from '../../src/model/synthetic';
import { PART_CALL, REPORT_ELEMENT_ID, reportPartId, standaloneHtml } from '../../src/model/html-report';
import type { Report } from '../../src/model/report';
import { bundle, launch, type Browser } from './browser';

let b: Browser;
before(async () => { b = await launch(); });
after(async () => { await b.close(); });

// ~6 parts of PART_CHARS base64 characters.
const report = syntheticReport({ threads: 6, spans: 200_000, profiles: 3, samplesPerProfile: 20_000, seed: 5 });
const html = standaloneHtml(report, bundle(), { gzip: (bytes) => gzipSync(bytes) });
const count = Number(/data-parts="(\d+)"/.exec(html)![1]);

/** Task count per thread id, in the timeline's lane order (threads by id), from the model. */
function modelLanes(r: Report): number[] {
  const counts = new Map<number, number>();
  for (let k = 0; k < r.spans.count; k++) counts.set(r.spans.thread[k], (counts.get(r.spans.thread[k]) ?? 0) + 1);
  return r.threads.map((t) => t.id).sort((x, y) => x - y).map((id) => counts.get(id) ?? 0);
}

const pageLanes = (page: Page) => page.$$eval('#timeline-lanes li[data-tasks]', (els) => els.map((e) => Number(e.getAttribute('data-tasks'))));

async function open(name: string, text: string): Promise<{ page: Page; errors: string[] }> {
  const file = join(b.dir, `${name}.html`);
  writeFileSync(file, text);
  const page = await b.context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(pathToFileURL(file).href);
  return { page, errors };
}

/** The page shows why in one line, and no timeline. */
async function refused(page: Page, why: RegExp): Promise<void> {
  const box = await page.waitForSelector('.pp-error-box');
  // The box's heading, then the reason in one line.
  const lines = (await box.textContent())!.split('\n');
  assert.equal(lines.length, 2, lines.join(' | '));
  assert.match(lines[1], why);
  assert.equal(await page.$('#timeline-lanes'), null, 'no timeline is drawn');
  await page.close();
}

const partId = reportPartId;
const call = (k: number) => `>${PART_CALL}(${k})</script>`;

test('the bundle comes before the parts, and each part is handed to the decoder\'s worker as the browser parses the page', async () => {
  assert.ok(count >= 4, `several parts: ${count}`);
  assert.ok(html.indexOf('<script nonce=') < html.indexOf(`id="${REPORT_ELEMENT_ID}"`), 'the bundle first');
  for (let k = 0; k < count; k++) assert.ok(html.indexOf(call(k)) > html.indexOf(`id="${partId(k)}"`), `part ${k}'s call after it`);
  const { page, errors } = await open('parts-streamed', html);
  await page.waitForSelector('#timeline-lanes li[data-tasks]');
  const progress = await page.evaluate(() => (window as unknown as { __parprofParts: { handed: number; firstBeforeLastParsed: boolean } }).__parprofParts);
  assert.equal(progress.handed, count);
  // Part 0 went to the worker while the last part was not parsed yet.
  assert.equal(progress.firstBeforeLastParsed, true);
  assert.equal(await page.evaluate(() => (window as unknown as { __parprof: { decodedIn: string } }).__parprof.decodedIn), 'worker');
  assert.deepEqual(await pageLanes(page), modelLanes(report));
  // The parts' text is let go once the report is in.
  await page.waitForFunction((id) => document.getElementById(id)?.textContent === '', REPORT_ELEMENT_ID);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a page whose CSP allows no worker decodes its parts itself', async () => {
  const noWorker = html.replace('; worker-src blob:', '');
  assert.notEqual(noWorker, html);
  const { page, errors } = await open('parts-no-worker', noWorker);
  await page.waitForSelector('#timeline-lanes li[data-tasks]');
  assert.equal(await page.evaluate(() => (window as unknown as { __parprof: { decodedIn: string } }).__parprof.decodedIn), 'page');
  assert.deepEqual(await pageLanes(page), modelLanes(report));
  assert.deepEqual(errors, []);
  await page.close();
  // Damaged base64 there too: the same line.
  const p1 = noWorker.indexOf('>', noWorker.indexOf(`id="${partId(1)}"`)) + 1;
  await refused((await open('parts-no-worker-base64', `${noWorker.slice(0, p1 + 10)}*${noWorker.slice(p1 + 11)}`)).page,
    new RegExp(`damaged: part 1 of ${count} is not base64`));
});

test('a part missing, parts out of order, a page cut off, base64 or gzip damaged: one line says why, nothing is drawn', async () => {
  const k = 2;
  // Its element gone, its call left.
  await refused((await open('parts-missing', html.replace(`id="${partId(k)}"`, 'id="other"'))).page,
    new RegExp(`cut short: part ${k} of ${count} \\(id ${partId(k)}\\) is missing`));
  // The calls of parts 1 and 2 swapped.
  await refused((await open('parts-order', html.replace(call(1), '>TMP</script>').replace(call(2), call(1)).replace('>TMP</script>', call(2)))).page,
    new RegExp(`out of order: part 2 came where part 1 of ${count} was expected`));
  // The file ends after part 2's call.
  const at = html.indexOf(call(2)) + call(2).length;
  await refused((await open('parts-cut', html.slice(0, at))).page, new RegExp(`cut short: 3 of its ${count} parts came`));
  // A character that is not base64 in part 1.
  const p1 = html.indexOf('>', html.indexOf(`id="${partId(1)}"`)) + 1;
  await refused((await open('parts-base64', `${html.slice(0, p1 + 10)}*${html.slice(p1 + 11)}`)).page,
    new RegExp(`damaged: part 1 of ${count} is not base64`));
  // Valid base64 that is not the gzip stream: part 1 replaced by as many 'A's.
  const e1 = html.indexOf('</script>', p1);
  await refused((await open('parts-gzip', `${html.slice(0, p1)}${'A'.repeat(e1 - p1)}${html.slice(e1)}`)).page, /packed report cannot be read/);
});
