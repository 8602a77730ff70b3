// test/simulator/golden/README.md says where each golden file's format comes from; the files
// recorded on real hosts are compared with the simulator's output and never regenerated.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { golden, GOLDEN, isRecordedGolden, simulator, xe } from './helpers';

test('golden/README.md names every golden file and where its format comes from', () => {
  const readme = readFileSync(join(GOLDEN, 'README.md'), 'utf8');
  for (const file of readdirSync(GOLDEN).filter((f) => f !== 'README.md')) {
    assert.ok(readme.includes(`| \`${file}\` |`), `README.md has a row for ${file}`);
  }
});

test('UPDATE_GOLDEN=1 never rewrites a file recorded on a real host', () => {
  const before = readFileSync(join(GOLDEN, 'real-vdi-io-error.txt'), 'utf8');
  const saved = process.env.UPDATE_GOLDEN;
  process.env.UPDATE_GOLDEN = '1';
  try {
    assert.ok(isRecordedGolden('real-vdi-io-error.txt'));
    assert.throws(() => golden('real-vdi-io-error.txt', 'something else\n'));
  } finally {
    if (saved === undefined) delete process.env.UPDATE_GOLDEN;
    else process.env.UPDATE_GOLDEN = saved;
  }
  assert.equal(readFileSync(join(GOLDEN, 'real-vdi-io-error.txt'), 'utf8'), before);
});

test('a failed vdi-export prints what XenServer printed (NAUbackup/VmBackup #83; cli_util.ml: unknown code as Error code/Error parameters)', async (t) => {
  const sim = await simulator(t, { fixture: { name: 'io', vms: [{ name: 'a', power: 'Halted', disks: [{ size: '4MiB', used: 1 }] }] } });
  const vbd = sim.state.get('VBD', (sim.state.entries('VM').find(([, r]) => r.name_label === 'a')![1].VBDs as string[])[0]!)!;
  const vdi = String(sim.state.get('VDI', vbd.VDI as string)!.uuid);
  sim.faults.set({ exportFailAfterBytes: 1024 * 1024 });
  const r = await xe(sim, ['vdi-export', `uuid=${vdi}`, 'filename=', 'format=raw']);
  assert.equal(r.code, 1);
  golden('real-vdi-io-error.txt', r.stderr);
});

test('the vm-uninstall listing has the shape a real host printed (NAUbackup/VmBackup #96; cli_operations.ml vm_uninstall)', async (t) => {
  const sim = await simulator(t, { fixture: { name: 'u', vms: [{ name: 'RESTORE_jira', power: 'Halted', disks: [{ size: '1MiB' }] }] } });
  const uuid = String(sim.state.entries('VM').find(([, r]) => r.name_label === 'RESTORE_jira')![1].uuid);
  const r = await xe(sim, ['vm-uninstall', `uuid=${uuid}`, 'force=true']);
  assert.equal(r.code, 0, r.stderr);
  const [title, vmLine] = r.stdout.split('\n');
  const recorded = readFileSync(join(GOLDEN, 'real-vm-uninstall.txt'), 'utf8');
  // The uuid differs (another VM); the line is otherwise the recorded one.
  golden('real-vm-uninstall.txt', `${title}\n${vmLine!.replace(uuid, '7f20490f-37c2-ffbe-0998-688a7ee8adef')}\n`);
  assert.ok(recorded.startsWith(title!));
});
