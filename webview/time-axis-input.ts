// Pan and zoom of the shared time axis (the timeline and the flame chart): one wheel, drag and
// keyboard handler, so the two views answer the same keys the same way.
import { panWindow, zoomWindow } from './layout-timeline';

/** Wheel zoom: the window scales by exp(deltaY × this) per event... */
export const WHEEL_ZOOM_PER_DELTA = 0.002;
/** ...with the exponent clamped to ± this, so one fast flick cannot zoom by more than e³. */
export const WHEEL_ZOOM_MAX_EXP = 3;
/** Arrow-key pan, as a fraction of the visible window (with Shift: the fast step). */
export const KEY_PAN_STEP = 0.1;
export const KEY_PAN_STEP_FAST = 0.5;
/** Key zoom factors of the window width (< 1 zooms in). */
export const KEY_ZOOM_IN = 0.8;
export const KEY_ZOOM_OUT = 1.25;
/** Narrowest window, µs: keeps zoom math away from zero widths. */
export const MIN_WINDOW_US = 1;
/** A press that moves less than this many px before release is a click, not a drag. */
export const CLICK_SLOP_PX = 3;

/** What pan and zoom move: a visible window (µs) within [0, endUs] (the report's Store, the preview's window). */
export interface TimeWindowed {
  readonly window: { from: number; to: number };
  readonly endUs: number;
  setWindow(from: number, to: number): void;
}

export interface TimeAxisOptions {
  /** Width of the time axis in CSS px now. */
  width(): number;
  /** Shift+drag selects a time range (µs); without this, Shift+drag pans like a plain drag. */
  onSelect?(from: number, to: number): void;
  /** A press released without dragging, at (x, y) in CSS px. */
  onClick?(x: number, y: number, e: PointerEvent): void;
  /** Pointer moves while not dragging (tooltips). */
  onHover?(x: number, y: number): void;
  onLeave?(): void;
  /** Keys of the view beyond pan and zoom; they win over the shared ones. */
  keys?: Record<string, (e: KeyboardEvent) => void>;
}

/** Zooms the store's window by `factor` around `at` (µs; default: the middle). */
export function zoomBy(store: TimeWindowed, factor: number, at?: number): void {
  const { from, to } = store.window;
  store.setWindow(...zoomWindow(from, to, factor, at ?? (from + to) / 2, store.endUs, MIN_WINDOW_US));
}

/** Binds wheel, drag and keys of `canvas` to the store's time window. */
export function bindTimeAxis(canvas: HTMLElement, store: TimeWindowed, options: TimeAxisOptions): void {
  const timeAt = (x: number) => {
    const { from, to } = store.window;
    return from + (x / Math.max(1, options.width())) * (to - from);
  };
  const pan = (deltaUs: number) => {
    const { from, to } = store.window;
    store.setWindow(...panWindow(from, to, deltaUs, store.endUs));
  };
  canvas.addEventListener('wheel', (e) => {
    e.preventDefault();
    const { from, to } = store.window;
    if (e.shiftKey || Math.abs(e.deltaX) > Math.abs(e.deltaY)) {
      pan((e.shiftKey ? e.deltaY : e.deltaX) * ((to - from) / Math.max(1, options.width())));
    } else {
      const exponent = Math.max(-WHEEL_ZOOM_MAX_EXP, Math.min(WHEEL_ZOOM_MAX_EXP, e.deltaY * WHEEL_ZOOM_PER_DELTA));
      zoomBy(store, Math.exp(exponent), timeAt(e.offsetX));
    }
  }, { passive: false });

  let drag: { mode: 'pan' | 'select'; x: number; y: number; from: number; to: number; t0: number; moved: boolean } | undefined;
  canvas.addEventListener('pointerdown', (e) => {
    if (e.button !== 0) return;
    canvas.setPointerCapture(e.pointerId);
    const { from, to } = store.window;
    drag = { mode: e.shiftKey && options.onSelect ? 'select' : 'pan', x: e.offsetX, y: e.offsetY, from, to, t0: timeAt(e.offsetX), moved: false };
  });
  canvas.addEventListener('pointermove', (e) => {
    const d = drag;
    if (!d) return options.onHover?.(e.offsetX, e.offsetY);
    if (!d.moved && Math.abs(e.offsetX - d.x) < CLICK_SLOP_PX && Math.abs(e.offsetY - d.y) < CLICK_SLOP_PX) return;
    d.moved = true;
    options.onLeave?.();
    if (d.mode === 'pan') {
      const dt = ((d.x - e.offsetX) / Math.max(1, options.width())) * (d.to - d.from);
      store.setWindow(...panWindow(d.from, d.to, dt, store.endUs));
    } else {
      const t = timeAt(e.offsetX);
      options.onSelect!(Math.min(d.t0, t), Math.max(d.t0, t));
    }
  });
  canvas.addEventListener('pointerup', (e) => {
    const d = drag;
    drag = undefined;
    if (d && !d.moved) options.onClick?.(e.offsetX, e.offsetY, e);
  });
  canvas.addEventListener('pointercancel', () => { drag = undefined; });
  canvas.addEventListener('pointerleave', () => options.onLeave?.());

  canvas.addEventListener('keydown', (e) => {
    const { from, to } = store.window;
    const step = (to - from) * (e.shiftKey ? KEY_PAN_STEP_FAST : KEY_PAN_STEP);
    const whole = () => store.setWindow(0, store.endUs);
    const shared: Record<string, () => void> = {
      ArrowLeft: () => pan(-step),
      ArrowRight: () => pan(step),
      ArrowUp: () => zoomBy(store, KEY_ZOOM_IN), '+': () => zoomBy(store, KEY_ZOOM_IN), '=': () => zoomBy(store, KEY_ZOOM_IN),
      ArrowDown: () => zoomBy(store, KEY_ZOOM_OUT), '-': () => zoomBy(store, KEY_ZOOM_OUT),
      Home: whole, '0': whole,
    };
    const own = options.keys?.[e.key];
    const action = own ? () => own(e) : shared[e.key];
    if (action) { e.preventDefault(); action(); }
  });
}
