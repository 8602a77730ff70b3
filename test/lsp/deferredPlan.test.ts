// While the user types in a file whose selection plan is slow (large file, large pool), the
// store publishes config diagnostics at once and keeps the previous plan's results on the
// lines that did not change; the full plan follows when asked for. The store's clock is
// injected: every plan "takes" 100 ms on it, whatever the machine's speed.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Inventory, InventoryVm } from '../../runner/src/pool/inventory';
import { DocumentStore, type PlanTiming } from '../../server/src/documentStore';
import type { PoolSnapshot } from '../../server/src/livePool';
import { DEFAULT_SETTINGS } from '../../server/src/settings';

function vm(name: string): InventoryVm {
  return { uuid: name, name, powerState: 'Running', isTemplate: false, isSnapshot: false, isControlDomain: false, disks: [] };
}

describe('deferred selection plan', () => {
  it('serves the previous plan on unchanged lines while a slow plan is out of date', () => {
    const vms = Array.from({ length: 500 }, (_, i) => vm(`APP-${String(i).padStart(4, '0')}`));
    const inventory: Inventory = { vms, source: 'fixture', fetchedAt: Date.now() };
    const pool: PoolSnapshot = { inventory, status: { state: 'connected', vmCount: 500, message: '', url: 'x' }, generation: 1 };
    const lines = ['vm-export=MISSING-VM'];
    for (let i = 0; i < 60; i++) lines.push(`vm-export=APP-${String(i % 10).padStart(3, '0')}[0-9]:3`);
    let document = TextDocument.create('file:///big.cfg', 'vmbackup', 1, lines.join('\n') + '\n');
    let clock = 0;
    const timing: PlanTiming = { now: () => (clock += 50), quickPlanMs: 25 }; // each plan: 50 ms later - start
    const store = new DocumentStore(() => DEFAULT_SETTINGS, () => pool, () => undefined, timing);

    const first = store.quickDiagnostics(document);
    assert.equal(first.complete, true);
    assert.ok(first.diagnostics.some((d) => d.code === 'VMB040' && d.range.start.line === 0));

    // Type in line 5: its plan results go, the others (line 0's VMB040) stay.
    document = TextDocument.update(document, [{ range: { start: { line: 5, character: 10 }, end: { line: 5, character: 10 } }, text: 'x' }], 2);
    const quick = store.quickDiagnostics(document);
    assert.equal(quick.complete, false);
    assert.ok(quick.diagnostics.some((d) => d.code === 'VMB040' && d.range.start.line === 0), 'carried over');
    const cached = store.context(document, false);
    assert.equal(cached.selectionValidAt(5), false);
    assert.equal(cached.selectionValidAt(6), true);

    // The full plan (after the pause) sees the edit: line 5 now matches nothing.
    const full = store.diagnostics(document);
    assert.ok(full.some((d) => d.code === 'VMB040' && d.range.start.line === 5));
    assert.equal(store.quickDiagnostics(document).complete, true);
    assert.equal(store.context(document, false).selectionValidAt(5), true);
  });

  it('redoes a quick plan on every keystroke (the deferral is only for slow plans)', () => {
    const inventory: Inventory = { vms: [vm('APP-0001')], source: 'fixture', fetchedAt: Date.now() };
    const pool: PoolSnapshot = { inventory, status: { state: 'connected', vmCount: 1, message: '', url: 'x' }, generation: 1 };
    let clock = 0;
    const store = new DocumentStore(() => DEFAULT_SETTINGS, () => pool, () => undefined, { now: () => (clock += 1), quickPlanMs: 25 });
    let document = TextDocument.create('file:///small.cfg', 'vmbackup', 1, 'vm-export=APP-0001\n');
    assert.equal(store.quickDiagnostics(document).complete, true);
    document = TextDocument.update(document, [{ range: { start: { line: 0, character: 18 }, end: { line: 0, character: 18 } }, text: 'x' }], 2);
    const quick = store.quickDiagnostics(document);
    assert.equal(quick.complete, true);
    assert.ok(quick.diagnostics.some((d) => d.code === 'VMB040' && d.range.start.line === 0), 'the edit is planned at once');
  });
});
