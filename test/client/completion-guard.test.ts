// Enter after a complete value starts a new line: a list that opened by itself is dropped once
// the typed value is one of its entries, and no entry ever inserts exactly what is typed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { guardCompletions, typedToken } from '../../client/src/completionGuard';

const vms = ['PROD-db01', 'PROD-db02', 'PROD-web01'];
const same = (s: string) => s;

test('the typed token is the value after "=", or the key at the start of the line', () => {
  assert.equal(typedToken('vm-export=PROD-db01', 19), 'PROD-db01');
  assert.equal(typedToken('vm-export=PROD-db01', 14), 'PROD');
  assert.equal(typedToken('max_bac', 7), 'max_bac');
});

test('a list that opened while typing closes on a complete value', () => {
  assert.deepEqual(guardCompletions(vms, 'PROD-db01', same, false), []);
  assert.deepEqual(guardCompletions(vms, 'PROD-db', same, false), vms);
});

test('asked for (Ctrl+Space) on a complete value: the others, never the typed value itself', () => {
  assert.deepEqual(guardCompletions(vms, 'PROD-db01', same, true), ['PROD-db02', 'PROD-web01']);
  assert.deepEqual(guardCompletions(vms, '', same, false), vms);
});
