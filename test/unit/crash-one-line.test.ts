// How a crashed run is told in one line (the notification, the report header, the Runs view):
// a pool's error carries the worker's whole stack in its message, a SyntaxError's message says
// neither its kind nor where; the line keeps the first line and names the user's frame.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { runEndText } from '../../src/model/run-views';
import { record } from './record-helpers';

test('a map whose task throws: one line, the task\'s error and where it threw, none of the runtime\'s frames', async () => {
  const { report } = await record('failed-map.js');
  const text = runEndText(report);
  assert.doesNotMatch(text, /\n/);
  assert.doesNotMatch(text, /worker stack|dist[\\/]runtime/);
  assert.match(text, /^crashed after .+: uncaught map\(work\) failed at item 10 .*: boom at item 10 \(failed-map\.js:9:\d+\)$/);
});

test('a script that does not parse: one line with SyntaxError and its file and line', async () => {
  const { report } = await record('syntax-error.js');
  assert.match(runEndText(report), /^crashed after .+: uncaught SyntaxError: Unexpected token ';' \(syntax-error\.js:2\)$/);
});
