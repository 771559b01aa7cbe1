// The declared surface (src/extension/surface.ts) and package.json's contributes agree both
// ways, and every command is registered in the running extension host.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { CATEGORY, COMMANDS, CONTEXT_KEYS, RUN_ITEM_CONTEXT, SETTINGS, SWEEP_ITEM_CONTEXT, VIEWS } from '../../../src/extension/surface';
import { api, EXTENSION_ID } from './util';

interface Manifest {
  contributes: {
    commands: { command: string; title: string; category?: string }[];
    configuration: { properties: Record<string, unknown> };
    menus: Record<string, { command: string; when?: string }[]>;
    views: Record<string, { id: string }[]>;
    viewsContainers: { activitybar: { id: string }[] };
    customEditors: { viewType: string; selector: { filenamePattern: string }[] }[];
    walkthroughs: { id: string; steps: { description: string }[] }[];
  };
  capabilities: { untrustedWorkspaces: { supported: string | boolean } };
}

const declared = Object.values(COMMANDS);

describe('declared surface', () => {
  let manifest: Manifest;
  before(async () => {
    await api();
    manifest = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as Manifest;
  });

  it('registers every declared command in the extension host', async () => {
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = declared.filter((c) => !registered.has(c.id)).map((c) => c.id);
    assert.deepEqual(missing, []);
  });

  it("package.json's commands are exactly the declared ones, with the same titles and category", () => {
    const inManifest = manifest.contributes.commands.map((c) => `${c.command} | ${c.category}: ${c.title}`).sort();
    const inCode = declared.map((c) => `${c.id} | ${CATEGORY}: ${c.title}`).sort();
    assert.deepEqual(inManifest, inCode);
  });

  it('only declared commands are hidden from the palette, and no palette command is hidden', () => {
    const hidden = manifest.contributes.menus.commandPalette.filter((m) => m.when === 'false').map((m) => m.command).sort();
    assert.deepEqual(hidden, declared.filter((c) => !c.palette).map((c) => c.id).sort());
  });

  it('every menu entry names a declared command', () => {
    const ids = new Set<string>(declared.map((c) => c.id));
    for (const [menu, entries] of Object.entries(manifest.contributes.menus)) {
      for (const e of entries) assert.ok(ids.has(e.command), `${menu} names undeclared command ${e.command}`);
    }
  });

  it("package.json's settings are exactly the declared ones", () => {
    assert.deepEqual(Object.keys(manifest.contributes.configuration.properties).sort(), Object.values(SETTINGS).sort());
  });

  it('context keys used in when clauses are declared, and every declared key is used', () => {
    const whens = Object.values(manifest.contributes.menus).flat().map((m) => m.when ?? '').join(' ');
    const used = new Set([...whens.matchAll(/parallelProfiler\.[A-Za-z]+/g)].map((m) => m[0])
      .filter((k) => !k.startsWith('parallelProfiler.runs') && !declared.some((c) => c.id === k)));
    assert.deepEqual([...used].sort(), Object.values(CONTEXT_KEYS).sort());
    assert.ok(whens.includes(`viewItem == ${RUN_ITEM_CONTEXT}`));
    assert.ok(whens.includes(`viewItem =~ /^parprof(Run|Sweep)$/`) && `${SWEEP_ITEM_CONTEXT}`.match(/^parprof(Run|Sweep)$/));
  });

  it('views, custom editor and walkthrough ids match', () => {
    assert.deepEqual(manifest.contributes.viewsContainers.activitybar.map((c) => c.id), [VIEWS.container]);
    assert.deepEqual(manifest.contributes.views[VIEWS.container].map((v) => v.id), [VIEWS.runs]);
    assert.deepEqual(manifest.contributes.customEditors.map((e) => e.viewType), [VIEWS.reportEditor, VIEWS.sweepEditor]);
    assert.deepEqual(manifest.contributes.customEditors[0].selector.map((s) => s.filenamePattern).sort(), ['*.parprof', '*.parprof.gz']);
    assert.deepEqual(manifest.contributes.customEditors[1].selector.map((s) => s.filenamePattern), ['*.parprof-sweep.json']);
    assert.deepEqual(manifest.contributes.walkthroughs.map((w) => w.id), [VIEWS.walkthrough]);
    const linked = manifest.contributes.walkthroughs[0].steps.flatMap((s) => [...s.description.matchAll(/command:(parallelProfiler\.\w+)/g)].map((m) => m[1]));
    for (const id of linked) assert.ok(declared.some((c) => c.id === id) || id === `${VIEWS.runs}`, `walkthrough links unknown command ${id}`);
  });

  it('supports untrusted workspaces in limited mode', () => {
    assert.equal(manifest.capabilities.untrustedWorkspaces.supported, 'limited');
  });
});
