// While the user types in a file whose selection plan is slow (large file, large pool), the
// store publishes config diagnostics at once and keeps the previous plan's results on the
// lines that did not change; the full plan follows when asked for.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Inventory, InventoryVm } from '../../runner/src/pool/inventory';
import { DocumentStore, QUICK_PLAN_MS } from '../../server/src/documentStore';
import type { PoolSnapshot } from '../../server/src/livePool';
import { DEFAULT_SETTINGS } from '../../server/src/settings';

function vm(name: string): InventoryVm {
  return { uuid: name, name, powerState: 'Running', isTemplate: false, isSnapshot: false, isControlDomain: false, disks: [] };
}

describe('deferred selection plan', () => {
  it('serves the previous plan on unchanged lines while a slow plan is out of date', () => {
    const vms = Array.from({ length: 5000 }, (_, i) => vm(`APP-${String(i).padStart(4, '0')}`));
    const inventory: Inventory = { vms, source: 'fixture', fetchedAt: Date.now() };
    const pool: PoolSnapshot = { inventory, status: { state: 'connected', vmCount: 5000, message: '', url: 'x' }, generation: 1 };
    const lines = ['vm-export=MISSING-VM'];
    for (let i = 0; i < 600; i++) lines.push(`vm-export=APP-${String(i % 100).padStart(2, '0')}[0-9]{2}:3`);
    let document = TextDocument.create('file:///big.cfg', 'vmbackup', 1, lines.join('\n') + '\n');
    const store = new DocumentStore(() => DEFAULT_SETTINGS, () => pool);

    const first = store.quickDiagnostics(document);
    assert.equal(first.complete, true);
    assert.ok(first.diagnostics.some((d) => d.code === 'VMB040' && d.range.start.line === 0));
    const started = performance.now();
    store.diagnostics(TextDocument.create('file:///other.cfg', 'vmbackup', 1, lines.join('\n') + '\n'));
    const planMs = performance.now() - started;
    assert.ok(planMs > QUICK_PLAN_MS, `the plan of this file must be slow for the test to mean anything (${planMs.toFixed(0)} ms)`);

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
});
