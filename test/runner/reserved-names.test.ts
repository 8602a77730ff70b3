// VMs named like the files vmbackup keeps in backup_dir itself (issue 11, item 7): the write
// probe `00VMbackupWriteTest`, the lock `.vmbackup.lock` and its takeover guard. Their backup
// folders would break every later run, so such a VM is refused with an error naming the reason,
// and the other VMs of the run (and of every later run) are backed up. Local and over ssh.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Simulator } from '../sim/index';
import { unsafeFolderReason } from '../../runner/src/backup/layout';
import { ensureBundle, localTransport, runCli, sshTransport, startPool, workspace, type Transport } from './helpers';

const RESERVED = ['00VMbackupWriteTest', '.vmbackup.lock', '.vmbackup.lock.takeover'];

test('unsafeFolderReason: the reserved names, also in another case (case-insensitive shares)', () => {
  for (const name of [...RESERVED, '00vmbackupwritetest', '.VMBACKUP.LOCK']) {
    assert.match(unsafeFolderReason(name) ?? '', /is reserved: vmbackup uses/, name);
  }
  assert.equal(unsafeFolderReason('00VMbackupWriteTest2'), undefined);
  assert.equal(unsafeFolderReason('vmbackup.lock'), undefined);
});

let sim: Simulator;
const transports: Transport[] = [localTransport];
before(async () => {
  ensureBundle();
  sim = await startPool({
    name: 'reserved',
    vms: [{ name: 'web01', disks: [{ size: '1MiB' }] }, ...RESERVED.map((name) => ({ name, disks: [{ size: '1MiB' }] }))],
  });
  transports.push(await sshTransport(sim));
});
after(async () => {
  for (const t of transports) await t.stop();
  await sim.close();
});

for (const index of [0, 1]) {
  const name = index === 0 ? 'local' : 'ssh';

  test(`${name}: reserved VM names are refused, and the next run still backs up the others`, async () => {
    const ws = workspace();
    const cfg = ws.writeConfig(['vm-export=web01', ...RESERVED.map((n) => `vm-export=${n}`)]);
    for (const run of [1, 2]) {
      const result = await runCli(sim, [...transports[index]!.args, cfg]);
      assert.equal(result.code, 2, result.stdout + result.stderr);
      for (const vm of RESERVED) {
        assert.ok(result.stdout.includes(`ERROR the VM name '${vm}' is reserved`), `run ${run}: ${vm}\n${result.stdout}`);
      }
      assert.match(result.stdout, /VmBackup ended - \*\*ERRORS DETECTED\*\* - S:1 W:0 E:3/, `run ${run}`);
      assert.deepEqual(readdirSync(ws.backupDir), ['web01'], `run ${run}`);
    }
    assert.equal(readdirSync(join(ws.backupDir, 'web01')).length, 2);
    const log = readFileSync(ws.statusLog, 'utf8');
    assert.match(log, /,vm-export,[^,]+,end,ERROR verify_vm_name \.vmbackup\.lock\n/);
  });

  test(`${name}: a 00VMbackupWriteTest folder left by an older version does not stop the run`, async () => {
    const ws = workspace();
    mkdirSync(join(ws.backupDir, '00VMbackupWriteTest', 'backup-2024-01-01-(10:00:00)'), { recursive: true });
    const result = await runCli(sim, [...transports[index]!.args, ws.writeConfig(['vm-export=web01'])]);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /WARNING .*00VMbackupWriteTest is a folder/);
    assert.ok(existsSync(join(ws.backupDir, '00VMbackupWriteTest', 'backup-2024-01-01-(10:00:00)')), 'the old folder is kept');
    assert.deepEqual(readdirSync(ws.backupDir).sort(), ['00VMbackupWriteTest', 'web01']);
  });
}
