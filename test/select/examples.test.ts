// The shipped examples against the simulator's fixture pools (test/sim/fixtures): what each
// example backs up, and the inventory diagnostics the editor shows for it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig } from '../../runner/src/config';
import { inventoryDiagnostics, planSelection } from '../../runner/src/select';
import { inventory } from './helpers';
import { CANARY_PATH, readFixture } from '../sim/fixture';

const root = join(import.meta.dirname, '..', '..');

/** The fixture's VMs (names and template flag only: all selection needs). */
function fixturePool(name: string) {
  const fixture = readFixture(join(root, 'test', 'sim', 'fixtures', `${name}.json`));
  return inventory(fixture.vms!.map((vm) => vm.name));
}

function run(example: string, pool: string) {
  const config = parseConfig(readFileSync(join(root, 'examples', example), 'utf8'));
  const inv = fixturePool(pool);
  const plan = planSelection(config, inv);
  return { plan, diags: inventoryDiagnostics(config, inv, plan).map((d) => `${d.code}@${d.range.start.line + 1}`) };
}

test('demo.cfg on the demo pool', () => {
  const { plan, diags } = run('demo.cfg', 'demo');
  assert.deepEqual(
    plan.vdiExport.map((v) => v.entry),
    ['PROD-db01'],
  );
  assert.deepEqual(
    plan.vmExport.map((v) => v.entry),
    ['PROD-web01', 'PROD-web02', 'PROD-mail', 'DEV-build01:2', 'DEV-test01:2'],
  );
  assert.deepEqual(
    plan.metadataExport.map((v) => v.entry),
    ['DEV mySql'],
  );
  assert.deepEqual(
    plan.excluded.map((e) => e.name),
    ['TEMP-scratch'],
  );
  assert.deepEqual(diags, ['VMB042@17']);
  assert.equal(plan.vmExport.find((v) => v.name === 'DEV-test01')!.maxBackups, 2);
});

test('example.cfg on the weekend pool (README config example)', () => {
  const { plan, diags } = run('example.cfg', 'weekend');
  assert.deepEqual(
    plan.vdiExport.map((v) => v.entry),
    ['my-vm-name'],
  );
  assert.deepEqual(
    plan.vmExport.map((v) => v.entry),
    [
      'my-second-vm',
      'my-third-vm:3',
      'PROD-ubuntu14',
      'PROD-ubuntu12-benchmark',
      'PROD-CentOS7-large-user-disks',
      'PROD-WinSvr',
      'DEV-RH6:2',
      'DEV-RH7:2',
      'DEV mySql:2',
      'DEV-web3:2',
      'DEV-phishing-test:2',
      'DEV-duplicate:2',
    ],
  );
  assert.deepEqual(
    plan.metadataExport.map((v) => v.entry),
    ['WEB-frontend1', 'WEB-frontend2'],
  );
  assert.deepEqual(
    plan.excluded.map((e) => e.name),
    ['DEV-DestructiveTest', 'TEMP-scratch1', 'TEMP-scratch2'],
  );
  // PROD-WinDomainController is not in the pool; DEV-duplicate is two VMs; my-vm-name is in both lists.
  assert.deepEqual(diags, ['VMB040@31', 'VMB042@36', 'VMB043@47']);
});

test('regex.cfg on the weekend pool (README regex examples)', () => {
  const { plan, diags } = run('regex.cfg', 'weekend');
  assert.deepEqual(
    plan.excluded.map((e) => e.name),
    ['DEV-phishing-test', 'PRD-PRINTER1', 'PRD-PRINT'],
  );
  // DEV-.*[Tt]est.* also matches DEV-DestructiveTest (nothing excludes it in this file).
  assert.deepEqual(
    plan.vdiExport.map((v) => v.entry),
    ['DEV-web3:7', 'DEV-DestructiveTest'],
  );
  // The README's last example (print[\d{1,}]$:8) matches print4 and print7 again and replaces
  // their :5 and :10 in place: the lost-:N quirk, reported on both earlier lines.
  assert.deepEqual(
    plan.vmExport.map((v) => v.entry),
    ['PRD-office-print4:8', 'PRD-office-print7:8'],
  );
  assert.deepEqual(
    diags.filter((d) => d.startsWith('VMB041')),
    ['VMB041@30', 'VMB041@33'],
  );
});

test('weekend.cfg on the weekend pool: the README preview lists', () => {
  const { plan } = run('weekend.cfg', 'weekend');
  assert.deepEqual(
    plan.vdiExport.map((v) => v.entry),
    ['PROD-CentOS7-large-user-disks'],
  );
  assert.deepEqual(
    plan.vmExport.map((v) => v.entry),
    ['PROD-ubuntu14', 'PROD-WinSvr', 'DEV-RH6:3', 'DEV-RH7:3'],
  );
});

test('hostile VM names: selected by regex, entries keep the real names, no re-splitting', () => {
  const pool = fixturePool('hostile');
  const config = parseConfig('exclude=RESTORE_.*\nvm-export=.*\nvdi-export=colon.name');
  const plan = planSelection(config, pool);
  const names = plan.vmExport.map((v) => v.name);
  assert.ok(names.includes(`$(touch ${CANARY_PATH})`));
  assert.ok(names.includes('new\nline'));
  assert.ok(names.includes('  leading spaces'));
  assert.ok(!names.includes('colon:name'), 'vdi-export wins');
  assert.deepEqual(
    plan.vdiExport.map((v) => [v.name, v.entry, v.maxBackupsReason.kind]),
    [['colon:name', 'colon:name', 'global']],
  );
  // 'comma,name' is held by two VMs: one entry, two inventory VMs, and the preview error.
  const comma = plan.vmExport.find((v) => v.name === 'comma,name')!;
  assert.equal(comma.vms.length, 2);
  assert.deepEqual(
    plan.duplicateNames.map((d) => d.name),
    ['comma,name'],
  );
  assert.deepEqual(
    plan.excluded.map((e) => e.name),
    ["RESTORE_'quote"],
  );
});

test('hostile VM names: plain-name selection with blanks is exact, regex escapes work', () => {
  const pool = fixturePool('hostile');
  const plan = planSelection(
    parseConfig('vm-export=tab\there\nvm-export=glob\\*\\?\\[x]\nvm-export=PROD-\\$\\(id\\)$'),
    pool,
  );
  assert.deepEqual(
    plan.vmExport.map((v) => v.name),
    ['tab\there', 'glob*?[x]', 'PROD-$(id)'],
  );
});
