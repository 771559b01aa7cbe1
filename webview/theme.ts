// Colours for canvas drawing, read from the CSS variables of style.css (which follow the VS Code
// theme and fall back to light/dark defaults), and a stable colour per region and per function.
import { schemeTableau10 } from 'd3-scale-chromatic';

export interface Palette {
  background: string;
  foreground: string;
  muted: string;
  grid: string;
  laneBackground: string;
  selection: string;
  highlight: string;
  error: string;
  focus: string;
}

export function readPalette(element: Element = document.body): Palette {
  const css = getComputedStyle(element);
  const v = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback;
  return {
    background: v('--pp-bg', '#ffffff'),
    foreground: v('--pp-fg', '#1f1f1f'),
    muted: v('--pp-muted', '#6b6b6b'),
    grid: v('--pp-grid', 'rgba(128,128,128,0.25)'),
    laneBackground: v('--pp-lane', 'rgba(128,128,128,0.10)'),
    selection: v('--pp-selection', 'rgba(0,120,212,0.25)'),
    highlight: v('--pp-highlight', '#ff00aa'),
    error: v('--pp-error', '#e51400'),
    focus: v('--pp-focus', '#0078d4'),
  };
}

/** Region colours: Tableau 10, by region id. */
export function regionColor(region: number): string {
  return region < 0 ? '#888888' : schemeTableau10[region % schemeTableau10.length];
}

/** A warm flamegraph colour derived from the function name, so a function keeps its colour across views. */
export function frameColor(name: string, file: string): string {
  let h = 2166136261;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619);
  const x = (h >>> 0) / 4294967296;
  // Node internals, native frames, dependencies and the profiler's own pool runtime in grey-blue,
  // so the user's code stands out in warm colours.
  if (!file || file.startsWith('node:') || name.startsWith('(') || /[\\/](node_modules|dist[\\/]runtime)[\\/]/.test(file)) return `hsl(${210 + x * 20}, 15%, ${55 + x * 10}%)`;
  return `hsl(${10 + x * 40}, ${70 + x * 15}%, ${55 + x * 10}%)`;
}

/** Black or white text, whichever reads better on an hsl/hex fill (by perceived lightness). */
export function textOn(fill: string): string {
  const m = /hsl\(([\d.]+), ([\d.]+)%, ([\d.]+)%\)/.exec(fill);
  if (m) return Number(m[3]) > 50 ? '#000000' : '#ffffff';
  const hex = /^#([0-9a-f]{6})$/i.exec(fill);
  if (hex) {
    const n = parseInt(hex[1], 16);
    const l = 0.299 * (n >> 16) + 0.587 * ((n >> 8) & 255) + 0.114 * (n & 255);
    return l > 140 ? '#000000' : '#ffffff';
  }
  return '#000000';
}
