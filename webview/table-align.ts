// Tables right-align numbers (style.css); a column holding words is marked so that it reads left-aligned.

/** A cell holding a number (with its unit), several joined by '/' (a note after ' — ' allowed), or a dash for none: right-aligned. */
// \u2212 is '−', \u00b5 'µ', \u00d7 '×' (RegExp reads the escapes): the bundle stays ASCII (scripts/build.mjs says why).
const NUMBER = String.raw`[\u2212+-]?[\d.,]+\s*(?:ms|\u00b5s|s|%|\u00d7|MB|KB|GB)?`;
const NUMERIC_CELL = new RegExp(`^(?:[–—-]|${NUMBER}(?:\\s*/\\s*${NUMBER})*(?: — [^—]+)?)$`);

/** Tables right-align every column (numbers); a column with any other text is marked pp-text and reads left-aligned. */
export function alignTextColumns(tables: Iterable<HTMLTableElement>): void {
  for (const t of tables) {
    const rows = [...t.querySelectorAll('tbody tr')].map((r) => [...r.children]);
    t.querySelectorAll('thead th').forEach((th, col) => {
      const text = rows.some((cells) => { const c = cells[col]?.textContent?.trim() ?? ''; return c !== '' && !NUMERIC_CELL.test(c); });
      if (!text) return;
      th.classList.add('pp-text');
      for (const cells of rows) cells[col]?.classList.add('pp-text');
    });
  }
}
