// A call tree as an ARIA tree of rows with total / self / share columns. Only the rows in view
// exist in the DOM (fixed row height, absolute positions), so a tree of 100k nodes scrolls as fast
// as one of ten. Keyboard: Up/Down move, Right expands (or goes to the first child), Left collapses
// (or goes to the parent), Home/End, Enter opens the source where the host allows.
import type { CallTree } from '../src/model/calltree';
import { el, ms, percent, location } from './dom';

const ROW_H = 20;
const OVERSCAN = 8;

export interface TreeTableOptions {
  id: string;
  label: string;
  /** The selected row changed (undefined: no row). */
  onSelect?: (node: number | undefined) => void;
  onOpen?: (node: number) => void;
  onContextMenu?: (node: number, x: number, y: number) => void;
}

export class TreeTable {
  readonly element: HTMLElement;
  private readonly scroller: HTMLElement;
  private readonly inner = el('div', { class: 'pp-ct-inner' });
  private tree: CallTree | undefined;
  /** Node of each visible row, in display order, and its path key. */
  private rows: number[] = [];
  private keys: string[] = [];
  private readonly expanded = new Set<string>();
  private selectedKey: string | undefined;
  private selected = -1;
  /** A mouse button went down on a row and the focus it brings has not arrived yet. */
  private focusByPointer = false;

  constructor(private readonly options: TreeTableOptions) {
    this.scroller = el('div', { class: 'pp-ct-scroll', id: options.id, role: 'tree', tabindex: 0, 'aria-label': options.label });
    this.scroller.append(this.inner);
    const head = el('div', { class: 'pp-ct-row pp-ct-head', 'aria-hidden': 'true' },
      el('span', { class: 'pp-ct-num' }, 'Total'), el('span', { class: 'pp-ct-num' }, 'Self'), el('span', { class: 'pp-ct-num' }, 'Share'), el('span', { class: 'pp-ct-name' }, 'Function'));
    this.element = el('div', { class: 'pp-ct' }, head, this.scroller);
    this.scroller.addEventListener('scroll', () => this.render());
    this.scroller.addEventListener('keydown', (e) => this.key(e));
    // Focus from the keyboard (Tab) with nothing selected lands on row 0. Not focus from a click on
    // a row: selecting row 0 would redraw the rows between mousedown and mouseup, so the click
    // would land on no row and row 0 would stay selected instead of the row clicked.
    this.inner.addEventListener('mousedown', () => { this.focusByPointer = true; });
    this.scroller.addEventListener('focus', () => {
      const byPointer = this.focusByPointer;
      this.focusByPointer = false;
      if (!byPointer && this.selected < 0 && this.rows.length) this.select(0);
    });
    this.scroller.addEventListener('blur', () => { this.focusByPointer = false; });
    this.inner.addEventListener('click', (e) => {
      this.focusByPointer = false;
      const row = this.rowOf(e.target);
      if (row < 0) return;
      if ((e.target as HTMLElement).classList.contains('pp-ct-toggle')) this.toggle(row);
      this.select(row);
      this.scroller.focus();
    });
    this.inner.addEventListener('dblclick', (e) => { const row = this.rowOf(e.target); if (row >= 0) this.toggle(row); });
    this.inner.addEventListener('contextmenu', (e) => {
      const row = this.rowOf(e.target);
      if (row < 0 || !this.options.onContextMenu) return;
      e.preventDefault();
      this.select(row);
      const box = this.element.getBoundingClientRect();
      this.options.onContextMenu(this.rows[row], e.clientX - box.left, e.clientY - box.top);
    });
  }

  /** The node of the selected row. */
  get selectedNode(): number | undefined {
    return this.selected >= 0 ? this.rows[this.selected] : undefined;
  }

  /** Number of rows shown (expanded nodes' children included). */
  get rowCount(): number {
    return this.rows.length;
  }

  /**
   * Shows a tree. Expansions and the selection carry over by call path; with none that applies,
   * the heaviest path opens (as Firefox Profiler does), so the hot code is one glance away.
   */
  setTree(tree: CallTree): void {
    this.tree = tree;
    this.flatten();
    if (!this.rows.some((_, i) => this.expanded.has(this.keys[i]))) {
      let node = tree.roots[0];
      let key = node === undefined ? '' : this.keyOf(node, '');
      for (let d = 0; node !== undefined && d < 64; d++) {
        const kids = tree.children[node];
        if (!kids) break;
        this.expanded.add(key);
        node = kids[0];
        key = this.keyOf(node, key);
      }
      this.flatten();
    }
    const at = this.selectedKey === undefined ? -1 : this.keys.indexOf(this.selectedKey);
    this.selected = -1;
    if (at >= 0) this.select(at, false);
    else { this.selectedKey = undefined; this.options.onSelect?.(undefined); }
    this.render();
  }

  private keyOf(node: number, parentKey: string): string {
    return `${parentKey}\u0002${this.tree!.functions[this.tree!.func[node]].key}`;
  }

  /** Visible rows in display order: a pre-order walk that enters only expanded nodes. */
  private flatten(): void {
    const tree = this.tree!;
    const rows: number[] = [];
    const keys: string[] = [];
    const stack: [number, string][] = [];
    for (let i = tree.roots.length - 1; i >= 0; i--) stack.push([tree.roots[i], '']);
    while (stack.length) {
      const [node, parentKey] = stack.pop()!;
      const key = this.keyOf(node, parentKey);
      rows.push(node);
      keys.push(key);
      const kids = tree.children[node];
      if (kids && this.expanded.has(key)) for (let i = kids.length - 1; i >= 0; i--) stack.push([kids[i], key]);
    }
    this.rows = rows;
    this.keys = keys;
    this.inner.style.height = `${rows.length * ROW_H}px`;
  }

  private rowOf(target: EventTarget | null): number {
    const row = (target as HTMLElement | null)?.closest?.('[data-row]') as HTMLElement | null;
    return row ? Number(row.dataset.row) : -1;
  }

  private toggle(row: number): void {
    const key = this.keys[row];
    if (!this.tree!.children[this.rows[row]]) return;
    if (this.expanded.has(key)) this.expanded.delete(key); else this.expanded.add(key);
    this.flatten();
    this.selected = this.keys.indexOf(this.selectedKey ?? '');
    // The selection was inside the collapsed subtree: it moves to the collapsed row.
    if (this.selected < 0) { this.selected = row; this.selectedKey = key; this.options.onSelect?.(this.rows[row]); }
    this.render();
  }

  private select(row: number, notify = true): void {
    if (row < 0 || row >= this.rows.length) return;
    this.selected = row;
    this.selectedKey = this.keys[row];
    const top = row * ROW_H;
    const view = this.scroller.clientHeight || ROW_H * 10;
    if (top < this.scroller.scrollTop) this.scroller.scrollTop = top;
    else if (top + ROW_H > this.scroller.scrollTop + view) this.scroller.scrollTop = top + ROW_H - view;
    this.render();
    if (notify) this.options.onSelect?.(this.rows[row]);
  }

  private key(e: KeyboardEvent): void {
    const tree = this.tree;
    if (!tree || !this.rows.length) return;
    const row = Math.max(0, this.selected);
    const node = this.rows[row];
    const open = this.expanded.has(this.keys[row]);
    const hasKids = !!tree.children[node];
    const page = Math.max(1, Math.floor((this.scroller.clientHeight || 200) / ROW_H) - 1);
    const actions: Record<string, () => void> = {
      ArrowDown: () => this.select(Math.min(this.rows.length - 1, this.selected < 0 ? 0 : row + 1)),
      ArrowUp: () => this.select(Math.max(0, row - 1)),
      PageDown: () => this.select(Math.min(this.rows.length - 1, row + page)),
      PageUp: () => this.select(Math.max(0, row - page)),
      Home: () => this.select(0),
      End: () => this.select(this.rows.length - 1),
      ArrowRight: () => {
        if (hasKids && !open) this.toggle(row);
        else if (hasKids) this.select(row + 1);
      },
      ArrowLeft: () => {
        if (hasKids && open) { this.toggle(row); return; }
        const parentKey = this.keys[row].slice(0, this.keys[row].lastIndexOf('\u0002'));
        const p = this.keys.lastIndexOf(parentKey, row);
        if (parentKey && p >= 0) this.select(p);
      },
      Enter: () => this.options.onOpen?.(node),
      ContextMenu: () => {
        const top = row * ROW_H - this.scroller.scrollTop + ROW_H * 2;
        this.options.onContextMenu?.(node, 40, top);
      },
    };
    const action = actions[e.key];
    if (!action) return;
    e.preventDefault();
    action();
  }

  private render(): void {
    const tree = this.tree;
    if (!tree) return;
    const top = this.scroller.scrollTop;
    const height = this.scroller.clientHeight || ROW_H * 30;
    const first = Math.max(0, Math.floor(top / ROW_H) - OVERSCAN);
    const last = Math.min(this.rows.length, Math.ceil((top + height) / ROW_H) + OVERSCAN);
    const items: HTMLElement[] = [];
    const whole = Math.max(1, tree.totalUs);
    const id = this.options.id;
    for (let r = first; r < last; r++) {
      const node = this.rows[r];
      const f = tree.functions[tree.func[node]];
      const kids = !!tree.children[node];
      const open = kids && this.expanded.has(this.keys[r]);
      const where = location(f.file, f.line);
      const name = el('span', { class: 'pp-ct-name' },
        el('span', { class: 'pp-ct-toggle', 'aria-hidden': 'true' }, kids ? (open ? '▾' : '▸') : ''),
        f.name || '(anonymous)', where ? el('span', { class: 'pp-ct-file' }, ` ${shortFile(where)}`) : undefined);
      // The whole name in the title: a row narrower than the name ends it with an ellipsis.
      const row = el('div', { class: 'pp-ct-row', role: 'treeitem', id: `${id}-row-${r}`, 'data-row': r, 'aria-level': tree.depth[node] + 1,
        'aria-expanded': kids ? String(open) : undefined, 'aria-selected': String(r === this.selected), title: where ? `${f.name || '(anonymous)'}\n${where}` : f.name || '(anonymous)' },
        el('span', { class: 'pp-ct-num', 'data-us': tree.total[node] }, ms(tree.total[node])),
        el('span', { class: 'pp-ct-num', 'data-us': tree.self[node] }, ms(tree.self[node])),
        el('span', { class: 'pp-ct-num' }, percent(tree.total[node] / whole)),
        name);
      // Styles through the CSSOM: a style attribute is inline style, which the webview's CSP refuses.
      name.style.paddingLeft = `${tree.depth[node] * 14}px`;
      row.style.top = `${r * ROW_H}px`;
      items.push(row);
    }
    this.inner.replaceChildren(...items);
    if (this.selected >= 0) this.scroller.setAttribute('aria-activedescendant', `${id}-row-${this.selected}`);
    else this.scroller.removeAttribute('aria-activedescendant');
  }
}

function shortFile(where: string): string {
  const cut = Math.max(where.lastIndexOf('/'), where.lastIndexOf('\\'));
  return cut >= 0 ? where.slice(cut + 1) : where;
}
