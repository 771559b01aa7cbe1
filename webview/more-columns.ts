// 'n more columns →' above a table that scrolls sideways (a narrow panel): the hidden columns are
// not dropped, and this says they are there; a click scrolls them into view.
import { el } from './dom';

export interface MoreColumnsCue {
  cue: HTMLButtonElement;
  /** Counts again in the next frame (call after the table's columns change). */
  update(): void;
}

/** A cue for `table`, kept up to date as it scrolls or resizes; place `cue` before the table. */
export function moreColumnsCue(table: HTMLTableElement): MoreColumnsCue {
  const cue = el('button', { type: 'button', class: 'pp-more-columns', hidden: true });
  const update = () => {
    const right = table.getBoundingClientRect().right;
    const hidden = [...table.querySelectorAll('thead th')].filter((th) => th.getBoundingClientRect().right > right + 1).length;
    cue.hidden = hidden === 0;
    cue.textContent = `${hidden} more column${hidden === 1 ? '' : 's'} →`;
  };
  cue.addEventListener('click', () => table.scrollBy({ left: table.clientWidth / 2 }));
  table.addEventListener('scroll', update, { passive: true });
  new ResizeObserver(update).observe(table);
  // Counted in the next frame, not at once: measuring right after the table's rows were replaced
  // forced a layout in the middle of a selection's work (26 ms of 380 at 100,000 tasks), and
  // several tables re-rendered in one frame now share one layout.
  let pending = false;
  const later = () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => { pending = false; update(); });
  };
  return { cue, update: later };
}
