// An export that "succeeds" (xe exits 0) with a damaged file must never be marked success
// nor cost an older good backup. The simulator's exportDamage fault (test/sim/http/damage.ts)
// writes each kind of damage; the runner reads the file back through its Host — from the
// file system locally, over the ssh connection with --ssh — into the same archive check.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Simulator } from '../sim/index';
import { DAMAGE_CASES as CASES, DAMAGE_POOL_VMS } from './damage-cases';
import {
  ensureBundle,
  localTransport,
  runCli,
  snapshotUuids,
  sshTransport,
  startPool,
  workspace,
  type Transport,
  type Workspace,
} from './helpers';

let sim: Simulator;
before(async () => {
  ensureBundle();
  sim = await startPool({
    name: 'verify',
    vms: DAMAGE_POOL_VMS,
  });
});
after(async () => sim.close());

/** Each backup folder of a VM with the files in it. */
function backups(ws: Workspace, vm: string): Record<string, string[]> {
  const dir = join(ws.backupDir, vm);
  if (!existsSync(dir)) return {};
  return Object.fromEntries(readdirSync(dir).map((folder) => [folder, readdirSync(join(dir, folder)).sort()]));
}

const transports: [string, () => Promise<Transport>][] = [
  ['local', async () => localTransport],
  ['ssh', () => sshTransport(sim)],
];

for (const [label, make] of transports) {
  describe(`a damaged export is refused (${label}: the file is read back through the host)`, () => {
    let transport: Transport;
    let ws: Workspace;
    let good: Record<string, Record<string, string[]>>;

    before(async () => {
      transport = await make();
      ws = workspace();
      // Good backups first: the damaged runs below must not cost them (max_backups=1).
      for (const lines of [
        ['vm-export=web01', 'vdi_export_format=raw', 'vdi-export=rawvm'],
        ['vdi_export_format=vhd', 'vdi-export=vhdvm'],
      ]) {
        const result = await runCli(sim, [...transport.args, ws.writeConfig(['max_backups=1', ...lines])]);
        assert.equal(result.code, 0, result.stdout + result.stderr);
        assert.match(
          result.stdout,
          new RegExp(
            /export file check: complete /.source +
              /(archive: \d+ tar entries, 1 disk, 4 chunk checksums verified|raw image|dynamic vhd)/.source,
          ),
        );
      }
      good = Object.fromEntries(['web01', 'rawvm', 'vhdvm'].map((vm) => [vm, backups(ws, vm)]));
      for (const vm of Object.keys(good)) {
        const folders = Object.values(good[vm]!);
        assert.equal(folders.length, 1, vm);
        assert.ok(folders[0]!.includes('success'), `${vm}: ${folders[0]}`);
      }
    });
    after(async () => {
      sim.faults.reset();
      await transport.stop();
    });

    for (const c of CASES) {
      test(`${c.damage} (${c.lines.join(' ')}): ${c.record}, no success marker, older good backup kept`, async (t) => {
        const name = transport.name;
        t.diagnostic(`transport ${name}`);
        const snapshots = snapshotUuids(sim);
        sim.faults.set({ exportDamage: c.damage });
        const result = await runCli(sim, [...transport.args, ws.writeConfig(['max_backups=1', ...c.lines])]);
        sim.faults.reset();
        assert.equal(result.code, 2, `${name}: ${result.stdout}${result.stderr}`);
        assert.match(result.stdout, /export file check failed: /, name);
        assert.match(result.stdout, c.detected, name);
        assert.doesNotMatch(result.stdout, /\*\*\* success/, name);
        const log = readFileSync(ws.statusLog, 'utf8').trimEnd().split('\n');
        assert.match(log.at(-2)!, new RegExp(`,end,${c.record} ${c.vm}$`), name);
        assert.match(log.at(-1)!, /,end,ERROR,S:0 W:0 E:1$/, name);
        assert.deepEqual(backups(ws, c.vm), good[c.vm], `${name}: only the older good backup is left, untouched`);
        assert.deepEqual(snapshotUuids(sim), snapshots, `${name}: no snapshot left`);
      });
    }
  });
}
