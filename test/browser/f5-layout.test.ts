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
import { VIEW_IDS } from '../../src/protocol';
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

/** The colours VS Code's high-contrast themes define for a webview (those they leave undefined are left out, as VS Code does). */
const HIGH_CONTRAST: Record<string, { bodyClass: string; vars: Record<string, string> }> = {
  dark: { bodyClass: 'vscode-high-contrast', vars: { '--vscode-editor-background': '#000000', '--vscode-foreground': '#ffffff',
    '--vscode-descriptionForeground': 'rgba(255, 255, 255, 0.7)', '--vscode-contrastBorder': '#6fc3df', '--vscode-panel-border': '#6fc3df',
    '--vscode-focusBorder': '#f38518', '--vscode-button-secondaryForeground': '#ffffff', '--vscode-input-background': '#000000',
    '--vscode-input-foreground': '#ffffff', '--vscode-editorHoverWidget-background': '#0c141f', '--vscode-editorHoverWidget-border': '#6fc3df',
    '--vscode-errorForeground': '#f48771', '--vscode-editor-findMatchBorder': '#f38518' } },
  light: { bodyClass: 'vscode-high-contrast-light', vars: { '--vscode-editor-background': '#ffffff', '--vscode-foreground': '#292929',
    '--vscode-descriptionForeground': 'rgba(41, 41, 41, 0.7)', '--vscode-contrastBorder': '#0f4a85', '--vscode-panel-border': '#0f4a85',
    '--vscode-focusBorder': '#006bbd', '--vscode-button-secondaryBackground': '#ffffff', '--vscode-button-secondaryForeground': '#292929',
    '--vscode-input-background': '#ffffff', '--vscode-input-foreground': '#292929', '--vscode-editorHoverWidget-background': '#ffffff',
    '--vscode-editorHoverWidget-border': '#292929', '--vscode-errorForeground': '#b5200d', '--vscode-editor-findMatchBorder': '#0f4a85' } },
};

/** Every visible element with text of its own whose colour against its background is under WCAG's 4.5:1 (disabled controls left out). */
async function lowContrastTexts(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    type Rgba = [number, number, number, number];
    const parse = (c: string): Rgba => {
      const m = c.match(/rgba?\(([^)]+)\)/);
      if (!m) return [0, 0, 0, 0];
      const p = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
      return [p[0], p[1], p[2], p[3] ?? 1];
    };
    const over = (top: Rgba, bottom: Rgba): Rgba => [0, 1, 2].map((i) => top[i] * top[3] + bottom[i] * (1 - top[3])).concat(1) as Rgba;
    const luminance = (c: Rgba) => {
      const f = (v: number) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
      return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
    };
    const background = (e: Element): Rgba => {
      const layers: Rgba[] = [];
      for (let x: Element | null = e; x; x = x.parentElement) {
        const c = parse(getComputedStyle(x).backgroundColor);
        if (c[3] > 0) layers.push(c);
        if (c[3] >= 1) break;
      }
      let bg: Rgba = [255, 255, 255, 1];
      for (const layer of layers.reverse()) bg = over(layer, bg);
      return bg;
    };
    const low: string[] = [];
    for (const e of document.querySelectorAll('body *')) {
      if (![...e.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.textContent!.trim())) continue;
      const r = e.getBoundingClientRect();
      if (!r.width || !r.height || !e.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true })) continue;
      if (e.closest(':disabled, .pp-sr-only')) continue;
      const bg = background(e);
      const fg = over(parse(getComputedStyle(e).color), bg);
      const [hi, lo] = [luminance(fg), luminance(bg)].sort((a, b) => b - a);
      const ratio = (hi + 0.05) / (lo + 0.05);
      if (ratio < 4.5) low.push(`${e.tagName.toLowerCase()} "${e.textContent!.trim().slice(0, 30)}": ${ratio.toFixed(2)}:1, rgb(${fg.slice(0, 3).map(Math.round)}) on rgb(${bg.slice(0, 3).map(Math.round)})`);
    }
    return [...new Set(low)];
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
    // The call tree's rows are one line each, cut with an ellipsis: the title has the whole name and place.
    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: 900 });
      await showView(page, 'calltree');
      const rows = await page.$$eval('#panel-calltree .pp-ct-inner .pp-ct-row', (rs) => rs.map((r) => {
        const name = r.querySelector<HTMLElement>('.pp-ct-name')!;
        const own = [...name.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE).map((n) => n.textContent).join('');
        return { own, cut: name.scrollWidth > name.clientWidth + 1, title: r.getAttribute('title') ?? '', height: r.getBoundingClientRect().height };
      }));
      assert.ok(rows.length > 3, `call tree at ${width} px: ${rows.length} rows`);
      for (const r of rows) {
        assert.ok(r.title === r.own || r.title.startsWith(`${r.own}\n`), `call tree at ${width} px: row "${r.own}" has the title "${r.title}"`);
        assert.ok(r.height <= 21, `call tree at ${width} px: row "${r.own}" is ${r.height} px high (wrapped)`);
      }
      if (width === 500) assert.ok(rows.some((r) => r.cut), 'no call-tree row is cut at 500 px: the titles above were not needed');
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

  test('the phases and slowest-tasks tables: text columns left-aligned, numbers right-aligned', async () => {
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
      // Its prose wraps: the table fits the panel, nothing of it scrolls under the sticky first column.
      const fit = await page.$eval('#summary-phases', (t) => [t.scrollWidth, t.clientWidth]);
      assert.ok(fit[0] <= fit[1] + 1, `at ${width} px the phases table scrolls: ${fit[0]} px wide in ${fit[1]}`);
    }
    // The slowest tasks' table: the thread's name reads from the left, the duration ends at the right.
    await showView(page, 'durations');
    const head = await page.$$eval('#panel-durations table thead th', (ths) => ths.map((th) => th.textContent));
    const edges = await page.$$eval('#panel-durations table tbody td', (tds) => tds.map((td) => {
      const r = document.createRange();
      r.selectNodeContents(td);
      const text = r.getClientRects();
      const box = td.getBoundingClientRect();
      const style = getComputedStyle(td);
      return { text: td.textContent, startGap: text[0].left - box.left - parseFloat(style.paddingLeft), endGap: box.right - parseFloat(style.paddingRight) - text[text.length - 1].right };
    }));
    const perRow = head.length;
    assert.ok(edges.length >= 2 * perRow, `${edges.length} cells in the slowest tasks' table`);
    for (let i = 0; i < edges.length; i += perRow) {
      const thread = edges[i + head.indexOf('Thread')];
      const duration = edges[i + head.indexOf('Duration')];
      assert.ok(Math.abs(thread.startGap) <= 1, `thread "${thread.text}" starts ${thread.startGap} px into its cell`);
      assert.ok(Math.abs(duration.endGap) <= 1, `duration "${duration.text}" ends ${duration.endGap} px before its cell's end`);
    }
  });

  test('at 500 px every column of the top functions can be scrolled into view, the function column stays, and a cue counts the hidden ones (the summary\'s tables too)', async () => {
    await page.setViewportSize({ width: 500, height: 900 });
    await showView(page, 'flamegraph');
    const heads = await page.$$eval('#top-functions thead th', (ths) => ths.map((th) => th.textContent));
    assert.deepEqual(heads, ['Function', 'Self', 'Total', 'main', 'pool 1', 'pool 2']);
    // The thread columns say what they count (a tryout read a row of 30.2 ms total with '–' in each).
    assert.match((await page.$eval('#top-functions caption', (c) => c.textContent))!, /\(\d+ of \d+\); a thread's column is its self time$/);
    const hidden = await page.$$eval('#top-functions thead th', (ths) => ths.filter((th) => th.getBoundingClientRect().right > th.closest('table')!.getBoundingClientRect().right + 1).length);
    assert.ok(hidden > 0, 'every column fits at 500 px: nothing to scroll');
    const cue = await page.$$eval('#panel-flamegraph .pp-more-columns', (cs) => cs.map((c) => [c.textContent, (c as HTMLElement).offsetParent !== null]));
    assert.deepEqual(cue, [[`${hidden} more column${hidden === 1 ? '' : 's'} →`, true]], 'the cue above the table');
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

    // The summary's tables scroll the same way, each with its own cue; a click on it scrolls its table.
    await showView(page, 'summary');
    const tables = await page.$$eval('#panel-summary table', (ts) => ts.map((t) => {
      const right = t.getBoundingClientRect().right;
      const hidden = [...t.querySelectorAll('thead th')].filter((th) => th.getBoundingClientRect().right > right + 1).length;
      const cue = t.nextElementSibling as HTMLElement | null;
      return { id: t.id, hidden, cue: cue?.classList.contains('pp-more-columns') && !cue.hidden ? cue.textContent : null };
    }));
    assert.ok(tables.some((t) => t.hidden > 0), `no summary table is wider than 500 px: ${JSON.stringify(tables)}`);
    for (const t of tables) assert.equal(t.cue, t.hidden > 0 ? `${t.hidden} more column${t.hidden === 1 ? '' : 's'} →` : null, `summary table ${t.id}`);
    const threads = '#summary-threads';
    assert.equal(await page.$eval(threads, (t) => t.scrollLeft), 0);
    await page.click(`${threads} + .pp-more-columns`);
    await page.waitForFunction((sel) => document.querySelector(sel)!.scrollLeft > 0, threads);
    assert.deepEqual(errors, []);
  });

  test('in VS Code\'s high-contrast themes, whether the webview reports a light or a dark colour scheme, every text is readable (4.5:1)', async () => {
    const hc = await b.context.newPage();
    try {
      await hc.setViewportSize({ width: 1400, height: 900 });
      await hc.goto(page.url());
      await hc.waitForSelector('[role="tablist"]');
      let checked = 0;
      for (const [theme, { bodyClass, vars }] of Object.entries(HIGH_CONTRAST)) {
        for (const colorScheme of ['light', 'dark'] as const) {
          await hc.emulateMedia({ colorScheme });
          await hc.evaluate(({ bodyClass, vars }) => {
            document.body.classList.remove('vscode-high-contrast', 'vscode-high-contrast-light');
            document.body.classList.add(bodyClass);
            for (const [name, value] of Object.entries(vars)) document.documentElement.style.setProperty(name, value);
          }, { bodyClass, vars });
          for (const view of VIEW_IDS) {
            await showView(hc, view);
            // A selected row is drawn in the selection colours: check those too.
            await hc.$eval(`#panel-${view}`, (p) => p.querySelector('tbody tr, .pp-ct-inner .pp-ct-row')?.setAttribute('aria-selected', 'true'));
            assert.deepEqual(await lowContrastTexts(hc), [], `high contrast ${theme}, ${colorScheme} scheme, ${view}`);
            checked++;
          }
          await screenshot(hc, `f5-layout-high-contrast-${theme}-${colorScheme}`);
        }
      }
      assert.equal(checked, 4 * VIEW_IDS.length);
    } finally {
      await hc.close();
    }
  });
});
