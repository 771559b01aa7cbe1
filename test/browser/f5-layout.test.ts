// The page at 500, 900 and 1,400 px, on a real recorded run (test/fixtures/f5-layout.js: a skewed
// static map whose spinning function has a one-word name longer than any panel). Measured with
// DOM geometry: a function's name or file never breaks inside a word (between two letters or
// digits: only at a space, after a '/' or at other punctuation), a name cut short has its whole self in the title, findings are list items whose text
// starts at the item's left edge, the phases' text column is left-aligned and its numbers
// right-aligned, and at 500 px every column of the flamegraph's top functions can be scrolled
// into view with the function column kept, and a cue says how many are out of view.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { packageRoot } from '../../src/runner/paths';
import { launch, screenshot, showView, type Browser } from './browser';

const LONG_NAME = 'spinTheThreadOnItsOwnCpuClockUntilTheItemIsDone';
const WIDTHS = [500, 900, 1400];

/** Each place where a function cell's text wraps to a new line, as the text either side, and the cells cut short. */
async function nameCellBreaks(page: Page, tableSelector: string) {
  return page.$$eval(`${tableSelector} tbody td:first-child`, (cells) => {
    const breaks: string[] = [];
    const cut: { name: string; title: string }[] = [];
    let lines = 0;
    for (const cell of cells) {
      // The name and the file are lines of their own (the file's text nodes share one parent): each is checked apart.
      const blocks = new Map<Element, Text[]>();
      const walk = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
      for (let n = walk.nextNode(); n; n = walk.nextNode()) blocks.set(n.parentElement!, [...(blocks.get(n.parentElement!) ?? []), n as Text]);
      for (const texts of blocks.values()) {
        const chars: { ch: string; top: number }[] = [];
        for (const n of texts) {
          const text = n.textContent ?? '';
          for (let i = 0; i < text.length; i++) {
            const r = document.createRange();
            r.setStart(n, i);
            r.setEnd(n, i + 1);
            const rect = r.getClientRects()[0];
            if (rect) chars.push({ ch: text[i], top: rect.top });
          }
        }
        for (let i = 1; i < chars.length; i++) {
          if (chars[i].top <= chars[i - 1].top + 2) continue;
          lines++;
          const before = chars[i - 1].ch;
          const after = chars[i].ch;
          // Inside a word: letters, digits, '_' or '$' on both sides ('Worker.|<computed>' and 'node:internal/|fs' are boundaries).
          if (/[\p{L}\p{N}_$]/u.test(before) && /[\p{L}\p{N}_$]/u.test(after)) {
            breaks.push(`${chars.slice(Math.max(0, i - 12), i).map((c) => c.ch).join('')}|${chars.slice(i, i + 12).map((c) => c.ch).join('')}`);
          }
        }
      }
      const name = cell.querySelector<HTMLElement>('.pp-fn-name');
      if (name && name.scrollWidth > name.clientWidth + 1) cut.push({ name: name.textContent ?? '', title: cell.getAttribute('title') ?? '' });
    }
    return { cells: cells.length, breaks, cut, lines };
  });
}

describe('layout of a recorded run at 500, 900 and 1,400 px', () => {
  let b: Browser;
  let page: Page;
  const errors: string[] = [];

  before(async () => {
    b = await launch();
    const root = packageRoot();
    const out = join(b.dir, 'f5-layout.parprof');
    const html = join(b.dir, 'f5-layout.html');
    const cli = join(root, 'dist', 'cli.js');
    const rec = spawnSync(process.execPath, [cli, 'record', '--out', out, join(root, 'test/fixtures/f5-layout.js')], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(rec.status, 0, `record failed: ${rec.stderr}`);
    const rep = spawnSync(process.execPath, [cli, 'report', out, '--html', html], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(rep.status, 0, `report --html failed: ${rep.stderr}`);
    page = await b.context.newPage();
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(pathToFileURL(html).href);
    await page.waitForSelector('[role="tablist"]');
  });
  after(async () => { await b?.close(); });

  test('function names and files never wrap inside a word, and a name cut short is whole in its title', async () => {
    let cutLong = 0;
    let wrapped = 0;
    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: 900 });
      for (const [view, table] of [['timeline', '#timeline-top-functions'], ['flamegraph', '#top-functions']]) {
        await showView(page, view);
        await screenshot(page, `f5-layout-${view}-${width}`);
        const r = await nameCellBreaks(page, table);
        assert.ok(r.cells > 5, `${view} at ${width} px: ${r.cells} function cells`);
        assert.deepEqual(r.breaks, [], `${view} at ${width} px: names or files broken inside a word`);
        for (const c of r.cut) assert.ok(c.title.startsWith(`${c.name}\n`) || c.title === c.name, `${view} at ${width} px: "${c.name}" is cut and its title is "${c.title}"`);
        cutLong += r.cut.filter((c) => c.name === LONG_NAME).length;
        wrapped += r.lines;
      }
    }
    // The planted name is longer than the timeline's side panel at 900 px: it must have been cut (not broken), and some files wrapped.
    assert.ok(cutLong > 0, `${LONG_NAME} was never cut with an ellipsis`);
    assert.ok(wrapped > 0, 'no function cell wrapped at any width: the check above checked nothing');
  });

  test('findings are list items whose text starts at the item\'s left edge, the finding with a range included', async () => {
    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: 900 });
      await showView(page, 'summary');
      await screenshot(page, `f5-layout-summary-${width}`);
      const items = await page.$$eval('#summary-verdicts > *', (lis) => lis.map((li) => {
        const walk = document.createTreeWalker(li, NodeFilter.SHOW_TEXT);
        const first = walk.nextNode()!;
        const r = document.createRange();
        r.setStart(first, 0);
        r.setEnd(first, 1);
        const style = getComputedStyle(li);
        return { tag: li.tagName, advice: !!li.querySelector('button.pp-advice'), textLeft: r.getClientRects()[0].left,
          left: li.getBoundingClientRect().left + parseFloat(style.paddingLeft) + parseFloat(style.borderLeftWidth), text: li.textContent };
      }));
      assert.ok(items.length > 0, 'no findings');
      assert.ok(items.some((i) => i.advice), 'no finding with a range (the planted skew) to check');
      for (const i of items) {
        assert.equal(i.tag, 'LI', `a finding is a ${i.tag}`);
        assert.ok(Math.abs(i.textLeft - i.left) <= 1, `at ${width} px: "${i.text}" starts ${i.textLeft - i.left} px from its item's left edge`);
      }
    }
  });

  test('the phases table: its text column left-aligned, its numbers right-aligned', async () => {
    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: 900 });
      await showView(page, 'summary');
      const cells = await page.$$eval('#summary-phases tbody tr', (rows) => rows.map((row) => [...row.children].map((td) => {
        const r = document.createRange();
        r.selectNodeContents(td);
        const text = r.getClientRects();
        const box = td.getBoundingClientRect();
        const style = getComputedStyle(td);
        return { text: td.textContent, startGap: text[0].left - box.left - parseFloat(style.paddingLeft), endGap: box.right - parseFloat(style.paddingRight) - text[text.length - 1].right };
      })));
      const head = await page.$$eval('#summary-phases thead th', (ths) => ths.map((th) => th.textContent));
      const covers = head.indexOf('What it covers');
      const time = head.indexOf('Time');
      assert.ok(covers > 0 && time > 0 && cells.length >= 3, `phases table: ${head.join(', ')}, ${cells.length} rows`);
      for (const row of cells) {
        assert.ok(Math.abs(row[covers].startGap) <= 1, `at ${width} px: "${row[covers].text}" starts ${row[covers].startGap} px into its cell`);
        assert.ok(Math.abs(row[time].endGap) <= 1, `at ${width} px: "${row[time].text}" ends ${row[time].endGap} px before its cell's end`);
      }
      // The texts differ in length: a right-aligned column would start them at different places.
      assert.ok(new Set(cells.map((r) => r[covers].text!.length)).size > 1);
    }
  });

  test('at 500 px every column of the top functions can be scrolled into view, the function column stays, and a cue counts the hidden ones', async () => {
    await page.setViewportSize({ width: 500, height: 900 });
    await showView(page, 'flamegraph');
    const heads = await page.$$eval('#top-functions thead th', (ths) => ths.map((th) => th.textContent));
    assert.deepEqual(heads, ['Function', 'Self', 'Total', 'main', 'pool 1', 'pool 2']);
    const hidden = await page.$$eval('#top-functions thead th', (ths) => ths.filter((th) => th.getBoundingClientRect().right > th.closest('table')!.getBoundingClientRect().right + 1).length);
    assert.ok(hidden > 0, 'every column fits at 500 px: nothing to scroll');
    const cue = page.locator('#panel-flamegraph .pp-more-columns');
    assert.equal(await cue.textContent(), `${hidden} more column${hidden === 1 ? '' : 's'} →`);
    assert.ok(await cue.isVisible());
    for (let i = 0; i < heads.length; i++) {
      const at = await page.$eval('#top-functions', (t, i) => {
        const th = t.querySelectorAll('thead th')[i];
        th.scrollIntoView({ inline: 'nearest', block: 'nearest' });
        const box = t.getBoundingClientRect();
        const r = th.getBoundingClientRect();
        const first = t.querySelector('thead th')!.getBoundingClientRect();
        return { left: r.left, right: r.right, boxLeft: box.left, boxRight: box.right, firstLeft: first.left, firstRight: first.right };
      }, i);
      assert.ok(at.left >= at.boxLeft - 1 && at.right <= at.boxRight + 1 && at.right <= 500, `${heads[i]} at ${at.left}–${at.right}, table shows ${at.boxLeft}–${at.boxRight}`);
      if (i > 0) assert.ok(at.left >= at.firstRight - 1, `${heads[i]} at ${at.left} is under the function column (ends ${at.firstRight})`);
      assert.ok(Math.abs(at.firstLeft - at.boxLeft) <= 1, `the function column left the view (${at.firstLeft} vs ${at.boxLeft})`);
    }
    await page.waitForFunction(() => (document.querySelector('#panel-flamegraph .pp-more-columns') as HTMLElement).hidden);
    await screenshot(page, 'f5-layout-flamegraph-500-scrolled');
    assert.deepEqual(errors, []);
  });
});
