// Canvas plumbing shared by the drawn views: device-pixel sizing, redraw coalescing, a tooltip.
import { el } from './dom';

/** Sizes the canvas backing store to CSS size × devicePixelRatio; returns a context in CSS pixels. */
export function sizeCanvas(canvas: HTMLCanvasElement, width: number, height: number): CanvasRenderingContext2D {
  const dpr = Math.max(1, Math.min(3, window.devicePixelRatio || 1));
  const w = Math.max(1, Math.round(width * dpr));
  const h = Math.max(1, Math.round(height * dpr));
  if (canvas.width !== w || canvas.height !== h) {
    canvas.width = w;
    canvas.height = h;
  }
  canvas.style.height = `${height}px`;
  const ctx = canvas.getContext('2d', { alpha: true })!;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  return ctx;
}

/** Calls `draw` at most once per animation frame however often `request` is called. */
export function frameScheduler(draw: () => void): () => void {
  let pending = false;
  return () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      draw();
    });
  };
}

/** A text-only tooltip positioned inside `container` (which must be position: relative). */
export class Tooltip {
  readonly element = el('div', { class: 'pp-tooltip', role: 'tooltip', hidden: true });

  constructor(container: HTMLElement) {
    container.append(this.element);
  }

  show(lines: string[], x: number, y: number): void {
    this.element.textContent = lines.join('\n');
    this.element.hidden = false;
    const box = this.element.parentElement!.getBoundingClientRect();
    const w = this.element.offsetWidth;
    const left = x + 14 + w > box.width ? Math.max(0, x - w - 10) : x + 14;
    this.element.style.left = `${left}px`;
    this.element.style.top = `${y + 14}px`;
  }

  hide(): void {
    this.element.hidden = true;
  }
}

/** Text cut to fit `maxWidth` px with an ellipsis; '' when not even one character fits. */
export function fitText(ctx: CanvasRenderingContext2D, text: string, maxWidth: number): string {
  if (maxWidth < 8) return '';
  if (ctx.measureText(text).width <= maxWidth) return text;
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (ctx.measureText(`${text.slice(0, mid)}…`).width <= maxWidth) lo = mid;
    else hi = mid - 1;
  }
  return lo > 0 ? `${text.slice(0, lo)}…` : '';
}
