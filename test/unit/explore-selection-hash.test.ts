// The view state in the standalone page's URL hash: encode -> decode -> encode is stable, older
// `#flamegraph` links still open their view, and junk gives no state rather than an error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeViewHash, encodeViewHash, MAX_HASH_CHARS } from '../../webview/view-hash';
import { asSelectionSpec } from '../../src/model/selection';
import type { ViewState } from '../../src/protocol';

test('a view state survives the hash both ways, selection and baseline included', () => {
  const state: ViewState = {
    view: 'flamegraph', window: { from: 12.5, to: 98_765.25 }, range: { from: 100, to: 2000 },
    selection: { kind: 'rank', region: 2, from: 0.9, to: 1 }, baseline: { kind: 'threads', threads: [1, 3], from: 0, to: 5e6 },
  };
  const hash = encodeViewHash(state);
  assert.ok(hash.startsWith('#view=flamegraph&'));
  const back = decodeViewHash(hash);
  assert.deepEqual(back, state);
  assert.equal(encodeViewHash(back as ViewState), hash);
  assert.deepEqual(asSelectionSpec(back.selection), state.selection);
});

test('older bare-view links, unknown views, malformed fields and oversized hashes', () => {
  assert.deepEqual(decodeViewHash('#durations'), { view: 'durations' });
  assert.deepEqual(decodeViewHash('#nonsense'), {});
  assert.deepEqual(decodeViewHash('#view=nonsense&window=%7B%22from%22%3A1%2C%22to%22%3A2%7D'), { window: { from: 1, to: 2 } });
  assert.deepEqual(decodeViewHash('#view=timeline&selection=%7Bnot-json'), { view: 'timeline' });
  assert.deepEqual(decodeViewHash(''), {});
  assert.deepEqual(decodeViewHash(`#view=timeline&x=${'1'.repeat(MAX_HASH_CHARS)}`), {});
  // A selection that is JSON but not a selection is read, then refused by the Store's check.
  assert.equal(asSelectionSpec(decodeViewHash('#selection=%7B%22kind%22%3A%22spans%22%7D').selection), undefined);
});
