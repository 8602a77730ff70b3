// The runner against what real pools do (issue 10), over the local and the ssh transport:
// an export redirected to a member xe cannot reach is an export failure naming the member's
// address (xe exits 0 and writes no file), a disk name with a line break is refused per VM,
// an empty VBD.device gives DISK-1 as the original names it and no WARNING.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startSimulator, type Fixture, type Simulator } from '../sim/index';
import { twoHostPool } from '../sim/two-hosts';
import {
  ensureBundle,
  localTransport,
  runCli,
  snapshotUuids,
  sshTransport,
  tree,
  workspace,
  type Transport,
} from './helpers';

const FIXTURE: Fixture = twoHostPool('fidelity-runner', [
  { name: 'far', power: 'Running', host: 'xs2', disks: [{ size: '2MiB', used: 1, sr: 'local-xs2' }] },
  { name: 'fresh', power: 'Halted', neverStarted: true, disks: [{ size: '1MiB' }, { size: '1MiB' }] },
  { name: 'broken-disk', power: 'Halted', disks: [{ size: '1MiB', name: 'boot\ndisk' }] },
]);

let sim: Simulator;
const transports: Transport[] = [];
before(async () => {
  ensureBundle();
  sim = await startSimulator({ fixture: FIXTURE });
  transports.push(localTransport, await sshTransport(sim));
});
after(async () => {
  for (const t of transports) await t.stop();
  await sim.close();
});

/** Log lines without their timestamps. */
const lines = (stdout: string) =>
  stdout.split('\n').map((l) => l.replace(/^\d{4}-\d{2}-\d{2}-\(\d{2}:\d{2}:\d{2}\) - /, ''));

for (const name of ['local', 'ssh'] as const) {
  const transport = () => transports.find((t) => t.name === name)!;

  test(
    `a member xe cannot reach: VM-EXPORT-FAIL / VDI-EXPORT-FAIL ` +
      `naming the member's address, no folder, no snapshot (${name})`,
    async (t) => {
      sim.faults.set({ unreachableHosts: ['xs2'] });
      t.after(() => sim.faults.reset());
      const before = snapshotUuids(sim);
      for (const [kind, record] of [
        ['vm-export', 'VM-EXPORT-FAIL'],
        ['vdi-export', 'VDI-EXPORT-FAIL'],
      ] as const) {
        const ws = workspace();
        const result = await runCli(sim, [...transport().args, ws.writeConfig([`${kind}=far`])]);
        assert.equal(result.code, 2, result.stdout + result.stderr);
        const error = lines(result.stdout).find((l) => l.startsWith(`ERROR xe ${kind} exited`));
        assert.ok(error, result.stdout);
        assert.match(error, /host xs2 at https:\/\/127\.0\.0\.2\/ \(SR 'Local storage xs2'\)/);
        assert.match(error, /open that address \(port 443, or the port xe uses\)/);
        if (kind === 'vm-export')
          assert.match(error, /exited 0 and wrote no file \(xe said "Export failed, unknown error"\)/);
        assert.doesNotMatch(result.stdout, /VERIFY-FAIL|export file check failed/);
        const log = readFileSync(ws.statusLog, 'utf8');
        assert.match(log, new RegExp(`,end,${record} far\\n`));
        assert.deepEqual(readdirSync(join(ws.backupDir, 'far')), [], 'the incomplete backup folder is removed');
      }
      assert.deepEqual(snapshotUuids(sim), before, 'no snapshot left');
    },
  );

  test(`a reachable member: the redirected export succeeds (${name})`, async () => {
    const ws = workspace();
    const result = await runCli(sim, [...transport().args, ws.writeConfig(['vm-export=far'])]);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(readFileSync(ws.statusLog, 'utf8'), /,end,SUCCESS far,/);
  });

  test(`a boot disk named with a line break is refused for vdi-export with a clear error (${name})`, async () => {
    const ws = workspace();
    const result = await runCli(sim, [...transport().args, ws.writeConfig(['vdi-export=broken-disk'])]);
    assert.equal(result.code, 2);
    assert.ok(
      lines(result.stdout).includes(
        'ERROR the disk name "boot\\ndisk" contains a line break (\\n or \\r): xe passes its arguments to the host ' +
          'as lines, so the disk cannot be backed up under this name; rename it',
      ),
      result.stdout,
    );
    assert.match(readFileSync(ws.statusLog, 'utf8'), /,end,ERROR verify_vm_name broken-disk\n/);
  });

  test(
    `empty VBD.device (never started): DISK-1, DISK-2 as ` + `the original names them, and no WARNING (${name})`,
    async () => {
      const ws = workspace();
      const result = await runCli(sim, [...transport().args, ws.writeConfig(['vm-export=fresh'])]);
      assert.equal(result.code, 0, result.stdout + result.stderr);
      assert.doesNotMatch(result.stdout, /WARNING/);
      assert.match(readFileSync(ws.statusLog, 'utf8'), /,end,SUCCESS fresh,/);
      const files = tree(join(ws.backupDir, 'fresh'));
      const disks = files.filter((f) => /\/DISK-[^/]+\/$/.test(f)).map((f) => f.split('/').at(-2));
      assert.deepEqual(disks, ['DISK-1', 'DISK-2']);
      assert.ok(files.some((f) => f.endsWith('/DISK-1/vbd.cfg')));
      assert.ok(existsSync(ws.statusLog));
    },
  );
}
