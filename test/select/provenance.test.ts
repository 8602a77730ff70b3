// What each planned VM carries: inventory VMs, max_backups and why, the selecting line, other
// matching lines, replaced entries, dropped VMs and per-line outcomes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { plan } from './helpers';

test('max_backups: global, :N, :N<=0 fallback, invalid :N, lost :N', () => {
  const p = plan('max_backups=5\nvm-export=a:3\nvm-export=b:0\nvm-export=c:x\nvm-export=d:2\nvm-export=[d]', [
    'a',
    'b',
    'c',
    'd',
    'e',
  ]);
  const by = Object.fromEntries(p.vmExport.map((v) => [v.name, v]));
  assert.equal(p.globalMaxBackups, 5);
  assert.deepEqual([by.a!.maxBackups, by.a!.maxBackupsReason], [3, { kind: 'suffix', line: 1, n: 3 }]);
  assert.deepEqual(
    [by.b!.maxBackups, by.b!.maxBackupsReason],
    [5, { kind: 'suffix-not-positive', line: 2, text: '0' }],
  );
  assert.deepEqual([by.c!.maxBackups, by.c!.maxBackupsReason], [5, { kind: 'suffix-invalid', line: 3, text: 'x' }]);
  assert.deepEqual(
    [by.d!.maxBackups, by.d!.maxBackupsReason],
    [5, { kind: 'suffix-lost', line: 4, n: '2', lostTo: 5 }],
  );
  assert.equal(by.d!.entry, 'd');
  assert.deepEqual(
    by.d!.replaced.map((r) => [r.entry, r.line]),
    [['d:2', 4]],
  );
});

test('global max_backups defaults to 4 and can be overridden', () => {
  const p = plan('vm-export=a', ['a']);
  assert.deepEqual([p.vmExport[0]!.maxBackups, p.vmExport[0]!.maxBackupsReason], [4, { kind: 'global' }]);
});

test('selectedBy, alsoMatchedBy (any list), inventory VMs', () => {
  const p = plan('vm-export=web.*\nvm-export=web1\nmetadata-export=web1', ['web1', 'web2']);
  const web1 = p.vmExport.find((v) => v.name === 'web1')!;
  assert.equal(web1.selectedBy, 1);
  assert.deepEqual(web1.alsoMatchedBy, [0, 2]);
  assert.equal(web1.vms.length, 1);
  assert.equal(web1.vms[0]!.ref, 'OpaqueRef:0');
  assert.equal(p.vmExport.find((v) => v.name === 'web2')!.selectedBy, 0);
});

test('excluded VMs carry the exclude line', () => {
  const p = plan('# c\nexclude=TEMP.*\nvm-export=.*', ['TEMP-1', 'a']);
  assert.deepEqual(
    p.excluded.map((e) => [e.name, e.line, e.vms.length]),
    [['TEMP-1', 1, 1]],
  );
});

test('dropped: vdi precedence, vdi duplicate, forced exclude', () => {
  const p = plan('vdi-export=a\nvdi-export=b:2\nvm-export=.*\nexclude=c', ['a', 'b', 'c']);
  assert.deepEqual(
    p.dropped.map((d) => [d.name, d.list, d.entry, d.line, d.reason, d.becauseOf]),
    [
      ['a', 'vm-export', 'a', 2, 'vdi-export-precedence', 0],
      ['b', 'vm-export', 'b', 2, 'vdi-export-duplicate', 1],
      ['c', 'vm-export', 'c', 2, 'forced-exclude', 3],
    ],
  );
  assert.deepEqual(p.vmExport, []);
});

test('line outcomes: status, matches, plain or regex', () => {
  const p = plan('exclude=\nexclude=x\nvm-export=a\nvm-export=[\nvm-export=.*\nvdi-export=', ['a', 'b']);
  assert.deepEqual(
    p.lines.map((l) => [l.line, l.status, l.matched, l.plain]),
    [
      [0, 'ignored-empty', [], false],
      [1, 'not-found', [], true],
      [2, 'matched', ['a'], true],
      [3, 'invalid-regex', [], false],
      [4, 'matched', ['a', 'b'], false],
      [5, 'ignored-empty', [], false],
    ],
  );
  const q = plan('exclude=.*\nvm-export=a', ['a']);
  assert.equal(q.lines[1]!.status, 'ignored-no-vms');
});

test('duplicate names: message with refs in preview phase, and the VMs on the plan entry', () => {
  const p = plan('vm-export=dup', ['dup', { name: 'dup', ref: 'OpaqueRef:b' }, { name: 'dup', isSnapshot: true }]);
  assert.deepEqual(
    p.duplicateNames.map((d) => [d.name, d.vms.length]),
    [['dup', 2]],
  );
  assert.equal(p.vmExport[0]!.vms.length, 2);
  const preview = p.messages.filter((m) => m.phase === 'preview');
  assert.deepEqual(
    preview.map((m) => m.text),
    [
      'Checking all VMs for duplicate names ...',
      "*** ERROR: duplicate VM name found: dup | ['OpaqueRef:0', 'OpaqueRef:b']",
    ],
  );
  assert.equal(preview[1]!.line, 0);
});

test('pure: the same input gives the same plan, the inventory is not modified', () => {
  const vms = ['a', 'b'];
  const a = plan('exclude=a\nvm-export=.*', vms);
  const b = plan('exclude=a\nvm-export=.*', vms);
  assert.deepEqual(a, b);
  assert.deepEqual(vms, ['a', 'b']);
});
