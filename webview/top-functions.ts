// The top-functions table beside the flamegraph: self, total and self per thread, sortable,
// keyboard navigable (arrow keys move between rows, Enter picks one).
import type { FunctionStat } from '../src/model/flame';
import { el, ms, shortPath, location } from './dom';
import { moreColumnsCue, type MoreColumnsCue } from './more-columns';

type SortKey = 'self' | 'total';
const MAX_ROWS = 200;

/** A path that may wrap only after its separators ('/', '\\'), as a muted line under the name. */
function pathWithBreaks(path: string): HTMLElement {
  const line = el('div', { class: 'pp-hint pp-fn-file' });
  for (const part of path.split(/(?<=[/\\])/)) line.append(part, document.createElement('wbr'));
  line.lastChild?.remove();
  return line;
}

export class TopFunctionsTable {
  readonly element: HTMLElement;
  private stats: FunctionStat[] = [];
  private threads: { id: number; name: string }[] = [];
  /** Functions there are in all (the table may be given only the first of them). */
  private count = 0;
  private sortKey: SortKey = 'self';
  private readonly tableEl: HTMLTableElement;
  /** 'n more columns →' above the table when the panel is too narrow for every thread's column. */
  private readonly moreColumns: MoreColumnsCue;
  /** Caption before the counts, e.g. 'Top functions of the visible range'. */
  title = 'Top functions';

  /** `onPick` runs when a row is chosen with Enter or a click; `id` names the table (one per view). */
  constructor(private readonly onPick: (stat: FunctionStat) => void, id = 'top-functions') {
    this.tableEl = el('table', { id, 'aria-label': 'Top functions' });
    this.moreColumns = moreColumnsCue(this.tableEl);
    this.element = el('div', { class: 'pp-top-functions' }, this.moreColumns.cue, this.tableEl);
  }

  /** `count`: how many functions there are in all, when `stats` holds only the first of them. */
  update(stats: FunctionStat[], threads: { id: number; name: string }[], count = stats.length): void {
    this.stats = stats;
    this.threads = threads;
    this.count = Math.max(count, stats.length);
    this.render();
  }

  private render(): void {
    const t = this.tableEl;
    t.replaceChildren();
    t.setAttribute('aria-label', this.title);
    t.append(el('caption', {}, `${this.title} (${Math.min(this.stats.length, MAX_ROWS)} of ${this.count})${this.threads.length ? '; a thread\'s column is its self time' : ''}`));
    const head = el('tr');
    head.append(el('th', { scope: 'col' }, 'Function'));
    for (const key of ['self', 'total'] as const) {
      const b = el('button', { type: 'button', 'aria-label': `Sort by ${key} time` }, key === 'self' ? 'Self' : 'Total');
      b.addEventListener('click', () => { this.sortKey = key; this.render(); });
      head.append(el('th', { scope: 'col', 'aria-sort': this.sortKey === key ? 'descending' : 'none' }, b));
    }
    for (const th of this.threads) head.append(el('th', { scope: 'col', title: `Self time on ${th.name}` }, th.name));
    t.append(el('thead', {}, head));
    const body = el('tbody');
    const sorted = [...this.stats].sort((a, b) => b[this.sortKey] - a[this.sortKey]).slice(0, MAX_ROWS);
    sorted.forEach((stat, i) => {
      const where = location(stat.file, stat.line);
      const fn = stat.name || '(anonymous)';
      // The full name and place in the title: a name longer than the cell is cut with an ellipsis, never broken inside a word.
      const name = el('td', { class: 'pp-fn', title: where ? `${fn}\n${where}` : fn }, el('span', { class: 'pp-fn-name' }, fn));
      if (where) name.append(pathWithBreaks(shortPath(where, 40)));
      const row = el('tr', { tabindex: i === 0 ? 0 : -1, 'data-function': stat.name, 'aria-selected': 'false' }, name,
        el('td', {}, ms(stat.self)), el('td', {}, ms(stat.total)));
      for (const th of this.threads) {
        const per = stat.perThread.find((p) => p.thread === th.id);
        row.append(el('td', {}, per && per.self > 0 ? ms(per.self) : '–'));
      }
      row.addEventListener('click', () => this.pick(row, stat));
      row.addEventListener('keydown', (e) => {
        const rows = [...body.querySelectorAll('tr')];
        const at = rows.indexOf(row);
        const move = (to: number) => {
          const next = rows[Math.max(0, Math.min(rows.length - 1, to))];
          if (!next) return;
          row.tabIndex = -1;
          next.tabIndex = 0;
          next.focus();
        };
        if (e.key === 'ArrowDown') { e.preventDefault(); move(at + 1); }
        else if (e.key === 'ArrowUp') { e.preventDefault(); move(at - 1); }
        else if (e.key === 'Home') { e.preventDefault(); move(0); }
        else if (e.key === 'End') { e.preventDefault(); move(rows.length - 1); }
        else if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); this.pick(row, stat); }
      });
      body.append(row);
    });
    t.append(body);
    this.moreColumns.update();
  }

  private pick(row: HTMLTableRowElement, stat: FunctionStat): void {
    for (const r of this.tableEl.querySelectorAll('tbody tr')) r.setAttribute('aria-selected', 'false');
    row.setAttribute('aria-selected', 'true');
    this.onPick(stat);
  }
}
