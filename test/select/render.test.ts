// The original's settings block and lists (§4), the seed README's weekend.cfg examples, and
// the CLI's vm-selector mode.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig, resolveSettings } from '../../runner/src/config';
import { compareCodePoints, planSelection, renderSettingsBlock, selectorToConfig } from '../../runner/src/select';
import { inventory, messages, WEEKEND_POOL } from './helpers';

const examples = join(import.meta.dirname, '..', '..', 'examples');
const pool = inventory(WEEKEND_POOL);

function preview(file: string): { block: string[]; msgs: string[] } {
  const config = parseConfig(readFileSync(join(examples, file), 'utf8'));
  const p = planSelection(config, pool);
  return { block: renderSettingsBlock(resolveSettings(config), p), msgs: messages(p) };
}

const README_BLOCK = [
  'VmBackup.py running with these settings:',
  '  backup_dir        = /snapshots/BACKUPS',
  '  status_log        = /snapshots/NAUbackup/status.log',
  '  compress          = False',
  '  max_backups       = 4',
  '  vdi_export_format = raw',
  '  pool_db_backup    = 0',
  '  exclude (cnt)= 1',
  '  exclude: PROD-ubuntu12-benchmark',
  '  vdi-export (cnt)= 1',
  '  vdi-export: PROD-CentOS7-large-user-disks',
  '  vm-export (cnt)= 4',
  '  vm-export: DEV-RH6:3, DEV-RH7:3, PROD-WinSvr, PROD-ubuntu14',
];

test('weekend.cfg (README, names fixed): exactly the README preview; the late exclude is forced', () => {
  const { block, msgs } = preview('weekend.cfg');
  assert.deepEqual(block, README_BLOCK);
  assert.deepEqual(msgs, ['L6: ***WARNING - forcing exclude of: PROD-ubuntu12-benchmark ']);
});

test('weekend-excludes-first.cfg: the same lists, no warnings', () => {
  const { block, msgs } = preview('weekend-excludes-first.cfg');
  assert.deepEqual(block, README_BLOCK);
  assert.deepEqual(msgs, []);
});

test('weekend-with-errors.cfg: the dotted names are regexes and still match in v3.25', () => {
  const { block } = preview('weekend-with-errors.cfg');
  assert.deepEqual(block, README_BLOCK);
});

test('weekend-with-errors.cfg against a pool without those VMs: vm not found', () => {
  const config = parseConfig(readFileSync(join(examples, 'weekend-with-errors.cfg'), 'utf8'));
  const p = planSelection(config, inventory(['PROD-ubuntu14', 'DEV-RH6']));
  assert.deepEqual(messages(p), [
    'L5: ***WARNING - vm not found: vdi-export=PROD-CentOS7.large-user-disks',
    'L8: ***WARNING - vm not found: exclude=PROD-ubuntu12.benchmark',
  ]);
  assert.deepEqual(
    p.vmExport.map((v) => v.entry),
    ['PROD-ubuntu14', 'DEV-RH6:3'],
  );
});

test('empty lists keep the blank after the colon (Python formatting), settings from the file', () => {
  const config = parseConfig(
    'max_backups=+7\npool_db_backup=1\nvdi_export_format=vhd\ncompress=zstd\nbackup_dir=/b\nvm-export=a',
  );
  const block = renderSettingsBlock(resolveSettings(config), planSelection(config, inventory(['a'])));
  assert.deepEqual(block.slice(1, 12), [
    '  backup_dir        = /b',
    '  status_log        = /snapshots/NAUbackup/status.log',
    '  compress          = zstd',
    '  max_backups       = +7',
    '  vdi_export_format = vhd',
    '  pool_db_backup    = 1',
    '  exclude (cnt)= 0',
    '  exclude: ',
    '  vdi-export (cnt)= 0',
    '  vdi-export: ',
    '  vm-export (cnt)= 1',
  ]);
  assert.equal(block.length, 13, 'no metadata-export lines when unused');
});

test('metadata-export list is shown when used', () => {
  const config = parseConfig('metadata-export=W.*');
  const block = renderSettingsBlock(resolveSettings(config), planSelection(config, inventory(['W2', 'W1'])));
  assert.deepEqual(block.slice(-2), ['  metadata-export (cnt)= 2', '  metadata-export: W1, W2']);
});

test('lists sort by code point like Python (not UTF-16 units)', () => {
  const names = ['b', 'B', 'é', '\uffee', '😀', 'a b', 'a'];
  assert.deepEqual([...names].sort(compareCodePoints), ['B', 'a', 'a b', 'b', 'é', '\uffee', '😀']);
});

test('vm-selector: NAME-OR-REGEX means vm-export', () => {
  const r = selectorToConfig('DEV-my.*');
  assert.ok(r.ok);
  assert.equal(r.key, 'vm-export');
  const p = planSelection(r.config, inventory(['DEV-mySql', 'PROD']));
  assert.deepEqual(
    p.vmExport.map((v) => v.entry),
    ['DEV-mySql'],
  );
  assert.equal(p.globalMaxBackups, 4);
});

test('vm-selector: vdi-export=X and names with blanks', () => {
  const r = selectorToConfig('vdi-export=DEV mySql');
  assert.ok(r.ok);
  assert.deepEqual(
    planSelection(r.config, inventory(['DEV mySql'])).vdiExport.map((v) => v.entry),
    ['DEV mySql'],
  );
  const all = selectorToConfig('.*');
  assert.ok(all.ok && all.value === '.*');
});

test('vm-selector: other keys, two = and line breaks are errors naming the argument', () => {
  for (const bad of ['exclude=a', 'max_backups=3', 'vm-export=a=b', 'a\nb']) {
    const r = selectorToConfig(bad);
    assert.equal(r.ok, false, bad);
    if (!r.ok) assert.match(r.error, /vm-selector/);
  }
});
