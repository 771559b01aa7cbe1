// The call-tree transforms as the user meets them: a breadcrumb of the applied transforms (click
// a crumb to go back to it, Undo drops the last one) with the toggle that shows the pool's and
// recorder's frames, and the actions offered on a frame (buttons, or a context menu).
import { resourceOf, transformFits, transformLabel, type Transform } from '../src/model/transforms';
import type { Store } from './store';
import { el } from './dom';

/** A frame the actions apply to: its function, and (top-down trees only) its call path of function keys. */
export interface FrameRef {
  key: string;
  name: string;
  file: string;
  path?: string[];
}

export class TransformBar {
  readonly element: HTMLElement;
  private readonly crumbs = el('ol', { class: 'pp-crumbs' });
  private readonly undo = el('button', { type: 'button', class: 'pp-undo', 'aria-label': 'Undo the last transform' }, 'Undo');
  private readonly runtime = el('input', { type: 'checkbox', 'aria-label': 'Show pool and recorder frames' });

  /** `id` prefixes the element ids, so that each view's bar can be found on its own. */
  constructor(private readonly store: Store, id: string) {
    this.element = el('nav', { class: 'pp-transforms', id: `${id}-transforms`, 'aria-label': 'Call tree transforms' },
      this.crumbs, this.undo,
      el('label', { class: 'pp-runtime-toggle', title: 'The pool\'s and recorder\'s own frames (runOperation, dynamicSchedule, runItems, span flushes…) are merged away by default' },
        this.runtime, ' Show pool and recorder frames'));
    this.runtime.id = `${id}-show-runtime`;
    this.undo.addEventListener('click', () => store.undoTransforms(store.transforms.length - 1));
    this.runtime.addEventListener('change', () => store.setShowRuntime(this.runtime.checked));
    store.on('transforms', () => this.render());
    this.render();
  }

  private render(): void {
    const list = this.store.transforms;
    const items: HTMLElement[] = [];
    const crumb = (label: string, keep: number) => {
      const current = keep === list.length;
      const b = el('button', { type: 'button', class: 'pp-crumb', 'aria-current': current ? 'step' : undefined, disabled: current,
        'aria-label': current ? `${label} (current)` : `Go back to: ${label}` }, label);
      b.addEventListener('click', () => this.store.undoTransforms(keep));
      items.push(el('li', {}, b));
    };
    crumb('Full profile', 0);
    list.forEach((t, i) => crumb(transformLabel(t), i + 1));
    this.crumbs.replaceChildren(...items);
    this.undo.disabled = list.length === 0;
    this.runtime.checked = this.store.showRuntime;
  }
}

/** The transforms a frame offers (those that mean something on it: transformFits), with their button labels. */
export function frameTransforms(frame: FrameRef): { label: string; transform: Transform }[] {
  const out: { label: string; transform: Transform }[] = [
    { label: 'Merge function', transform: { type: 'merge-function', key: frame.key } },
    { label: 'Focus on function', transform: { type: 'focus-function', key: frame.key } },
  ];
  if (frame.path?.length) out.push({ label: 'Focus on subtree', transform: { type: 'focus-subtree', path: frame.path } });
  out.push({ label: 'Drop samples with this function', transform: { type: 'drop-function', key: frame.key } });
  const resource = resourceOf(frame.file);
  if (resource) out.push({ label: `Collapse ${resource.label}`, transform: { type: 'collapse-resource', resource: resource.id } });
  out.push({ label: 'Collapse recursion', transform: { type: 'collapse-recursion', key: frame.key } });
  return out.filter((x) => transformFits(x.transform));
}

/** Buttons applying each of the frame's transforms (synthetic frames such as a collapsed resource get them too). */
export function frameActions(store: Store, frame: FrameRef, after?: () => void): HTMLElement {
  const group = el('div', { class: 'pp-frame-actions', role: 'group', 'aria-label': `Transforms for ${frame.name}` });
  for (const { label, transform } of frameTransforms(frame)) {
    const b = el('button', { type: 'button', 'data-transform': transform.type }, label);
    b.addEventListener('click', () => { after?.(); store.pushTransform(transform); });
    group.append(b);
  }
  return group;
}

/** A context menu of frame actions at a point inside `box` (positioned); Escape or a click elsewhere closes it. */
export class FrameMenu {
  private readonly menu = el('div', { class: 'pp-menu', role: 'menu', hidden: true });
  private returnFocus: HTMLElement | undefined;

  constructor(private readonly box: HTMLElement, private readonly store: Store) {
    box.append(this.menu);
    this.menu.addEventListener('keydown', (e) => {
      const items = [...this.menu.querySelectorAll('button')];
      const at = items.indexOf(document.activeElement as HTMLButtonElement);
      if (e.key === 'Escape') { e.preventDefault(); this.close(); }
      else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        items[(at + (e.key === 'ArrowDown' ? 1 : items.length - 1)) % items.length]?.focus();
      }
    });
    document.addEventListener('pointerdown', (e) => { if (!this.menu.hidden && !this.menu.contains(e.target as Node)) this.close(); });
  }

  open(frame: FrameRef, x: number, y: number, extra: { label: string; run: () => void }[] = []): void {
    this.returnFocus = document.activeElement as HTMLElement | undefined;
    const items = frameTransforms(frame).map(({ label, transform }) => ({ label, run: () => this.store.pushTransform(transform) }));
    this.menu.replaceChildren(el('div', { class: 'pp-menu-title' }, frame.name || '(anonymous)'),
      ...[...items, ...extra].map(({ label, run }) => {
        const b = el('button', { type: 'button', role: 'menuitem' }, label);
        b.addEventListener('click', () => { this.close(); run(); });
        return b;
      }));
    this.menu.hidden = false;
    this.menu.style.left = `${Math.max(0, Math.min(x, this.box.clientWidth - 240))}px`;
    this.menu.style.top = `${y}px`;
    this.menu.querySelector('button')?.focus();
  }

  close(): void {
    if (this.menu.hidden) return;
    this.menu.hidden = true;
    this.returnFocus?.focus();
  }
}
