// The xapi transport checks the export while it streams in (issue 14): every kind of damage
// the simulator's exportDamage fault writes (test/sim/http/damage.ts) fails the export with
// the xe path's record and check message, no success marker, the older good backup kept,
// no snapshot left — and the run reads no file back (the in-flight result is the verdict).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Simulator } from '../sim/index';
import { DAMAGE_CASES as CASES, DAMAGE_POOL_VMS } from './damage-cases';
import { ensureBundle, snapshotUuids, startPool, workspace, type Workspace } from './helpers';
import { runXapiCli } from './xapi-helpers';

let sim: Simulator;
let ws: Workspace;
let good: Record<string, Record<string, string[]>>;
before(async () => {
  ensureBundle();
  sim = await startPool({
    name: 'verify',
    vms: DAMAGE_POOL_VMS,
  });
  ws = workspace();
  // Good backups first: the damaged runs below must not cost them (max_backups=1).
  for (const lines of [
    ['vm-export=web01', 'vdi_export_format=raw', 'vdi-export=rawvm'],
    ['vdi_export_format=vhd', 'vdi-export=vhdvm'],
  ]) {
    const result = await runXapiCli(sim, [ws.writeConfig(['max_backups=1', ...lines])]);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const complete = /archive: \d+ tar entries, 1 disk, 4 chunk checksums verified|raw image|dynamic vhd/;
    assert.match(result.stdout, new RegExp(`export file check: complete (${complete.source})`));
  }
  good = Object.fromEntries(['web01', 'rawvm', 'vhdvm'].map((vm) => [vm, backups(vm)]));
  for (const vm of Object.keys(good)) {
    const folders = Object.values(good[vm]!);
    assert.equal(folders.length, 1, vm);
    assert.ok(folders[0]!.includes('success'), `${vm}: ${folders[0]}`);
  }
});
after(async () => sim.close());

/** Each backup folder of a VM with the files in it. */
function backups(vm: string): Record<string, string[]> {
  const dir = join(ws.backupDir, vm);
  if (!existsSync(dir)) return {};
  return Object.fromEntries(readdirSync(dir).map((folder) => [folder, readdirSync(join(dir, folder)).sort()]));
}

for (const c of CASES) {
  test(`xapi: ${c.damage} (${c.lines.join(' ')}): ${c.record}, no success marker, older good backup kept`, async () => {
    const snapshots = snapshotUuids(sim);
    sim.faults.set({ exportDamage: c.damage });
    const result = await runXapiCli(sim, [ws.writeConfig(['max_backups=1', ...c.lines])]);
    sim.faults.reset();
    assert.equal(result.code, 2, `${result.stdout}${result.stderr}`);
    assert.match(result.stdout, /export file check failed: /);
    assert.match(result.stdout, c.detected);
    assert.doesNotMatch(result.stdout, /\*\*\* success/);
    const log = readFileSync(ws.statusLog, 'utf8').trimEnd().split('\n');
    assert.match(log.at(-2)!, new RegExp(`,end,${c.record} ${c.vm}$`));
    assert.match(log.at(-1)!, /,end,ERROR,S:0 W:0 E:1$/);
    assert.deepEqual(backups(c.vm), good[c.vm], 'only the older good backup is left, untouched');
    assert.deepEqual(snapshotUuids(sim), snapshots, 'no snapshot left');
  });
}
