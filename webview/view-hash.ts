// The view state in a standalone page's URL hash, so a link or a reload reopens the same view:
// `#view=timeline&window={"from":0,"to":5000}&selection={"kind":"spans","spans":[12]}`.
// Every field of ViewState goes as JSON under its own name (a field added later travels too); the
// receivers validate what they read (the Store clamps windows and checks selections). A bare
// `#flamegraph` (older links) still opens that view.
import { VIEW_IDS, type ViewId, type ViewState } from '../src/protocol';

/** Longest hash read, characters: a pasted link is not a way to make the page parse megabytes. */
export const MAX_HASH_CHARS = 100_000;

export function encodeViewHash(state: ViewState): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(state)) {
    if (value === undefined) continue;
    params.set(key, key === 'view' ? String(value) : JSON.stringify(value));
  }
  return `#${params.toString()}`;
}

export function decodeViewHash(hash: string): Partial<ViewState> {
  const text = hash.startsWith('#') ? hash.slice(1) : hash;
  if (!text || text.length > MAX_HASH_CHARS) return {};
  if (VIEW_IDS.includes(text as ViewId)) return { view: text as ViewId };
  const out: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(text)) {
    if (key === 'view') {
      if (VIEW_IDS.includes(value as ViewId)) out.view = value;
      continue;
    }
    try {
      out[key] = JSON.parse(value);
    } catch {
      // A field that is not JSON is left out; the rest of the state still applies.
    }
  }
  return out as Partial<ViewState>;
}
