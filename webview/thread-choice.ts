// Choosing the threads the call tree and flamegraph merge (Firefox Profiler's Ctrl-click merge):
// a quick <select> (all threads, the workers, one thread, or the set chosen) and a "Threads" menu
// with one checkbox per profiled thread. Both read and write the store's one thread set, so the
// call tree, the flamegraph and the timeline's Ctrl/Cmd-click on lane labels agree; it is kept in
// the view state (panel state, URL hash). Keyboard: the menu button opens it (Enter/Space), Tab
// and Space move through and toggle the boxes, Escape closes it.
import type { Store } from './store';
import { el } from './dom';

export class ThreadChoice {
  readonly element: HTMLElement;
  private readonly select: HTMLSelectElement;
  private readonly custom = el('option', { value: 'custom', disabled: true }, '');
  private readonly button: HTMLButtonElement;
  private readonly menu: HTMLElement;
  private readonly boxes = new Map<number, HTMLInputElement>();
  /** Profiled threads, ascending ids. */
  private readonly profiled: number[];
  private readonly workers: number[];

  /** `prefix` names the elements: `${prefix}-thread` (the select), `${prefix}-threads` (the menu button), `${prefix}-threads-menu`. */
  constructor(private readonly store: Store, prefix: string, label: string) {
    const report = store.report;
    const profiledSet = new Set(report.profiles.map((p) => p.thread));
    const threads = [...report.threads].filter((t) => profiledSet.has(t.id)).sort((a, b) => a.id - b.id);
    this.profiled = threads.map((t) => t.id);
    this.workers = threads.filter((t) => t.kind === 'worker').map((t) => t.id);
    this.select = el('select', { id: `${prefix}-thread`, 'aria-label': label });
    this.select.append(el('option', { value: 'all' }, 'All threads (merged)'));
    if (this.workers.length > 1) this.select.append(el('option', { value: 'workers' }, `Workers (${this.workers.length}, merged)`));
    for (const t of threads) this.select.append(el('option', { value: t.id }, t.name));
    this.select.append(this.custom);
    this.select.addEventListener('change', () => {
      const v = this.select.value;
      store.setThreads(v === 'all' ? undefined : v === 'workers' ? this.workers : [Number(v)]);
    });

    const menuId = `${prefix}-threads-menu`;
    this.button = el('button', { type: 'button', id: `${prefix}-threads`, 'aria-haspopup': 'true', 'aria-expanded': 'false', 'aria-controls': menuId }, 'Threads…');
    const all = el('button', { type: 'button', class: 'pp-link' }, 'All');
    all.addEventListener('click', () => store.setThreads(undefined));
    this.menu = el('fieldset', { class: 'pp-thread-menu', id: menuId, hidden: true },
      el('legend', {}, 'Threads merged'), all);
    for (const t of threads) {
      const box = el('input', { type: 'checkbox', 'data-thread': t.id, id: `${menuId}-${t.id}`, 'aria-label': t.name });
      box.addEventListener('change', () => this.toggle(t.id, box.checked));
      this.boxes.set(t.id, box);
      this.menu.append(el('label', { for: box.id }, box, ` ${t.name}`));
    }
    this.button.addEventListener('click', () => this.setOpen(this.menu.hidden));
    this.menu.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') { e.preventDefault(); this.setOpen(false); this.button.focus(); }
    });
    document.addEventListener('pointerdown', (e) => {
      if (!this.menu.hidden && !this.menu.contains(e.target as Node) && e.target !== this.button) this.setOpen(false);
    });
    this.element = el('span', { class: 'pp-thread-choice' }, this.select, this.button, this.menu);
    store.on('threads', () => this.render());
    this.render();
  }

  /** The chosen threads, or undefined for every thread. */
  threads(): number[] | undefined {
    return this.store.threads;
  }

  private toggle(thread: number, on: boolean): void {
    const now = new Set(this.store.threads ?? this.profiled);
    if (on) now.add(thread); else now.delete(thread);
    // Every profiled thread checked is "all threads" (a report's later threads stay included).
    this.store.setThreads(this.profiled.every((t) => now.has(t)) ? undefined : [...now]);
  }

  private setOpen(open: boolean): void {
    this.menu.hidden = !open;
    this.button.setAttribute('aria-expanded', String(open));
    if (open) this.menu.querySelector('input')?.focus();
  }

  private render(): void {
    const chosen = this.store.threads;
    const set = new Set(chosen ?? this.profiled);
    for (const [t, box] of this.boxes) box.checked = set.has(t);
    const same = (a: number[]) => chosen !== undefined && a.length === chosen.length && a.every((t, i) => t === chosen[i]);
    let value = 'custom';
    if (!chosen) value = 'all';
    else if (this.workers.length > 1 && same(this.workers)) value = 'workers';
    else if (chosen.length === 1 && this.boxes.has(chosen[0])) value = String(chosen[0]);
    this.custom.textContent = chosen ? `${chosen.length} thread${chosen.length === 1 ? '' : 's'} (merged)` : '';
    this.custom.hidden = value !== 'custom';
    this.select.value = value;
    this.button.textContent = chosen ? `Threads (${chosen.length} of ${this.profiled.length})…` : 'Threads…';
  }
}
