// The xapi transport checks the export while it streams in (issue 14): every kind of damage
// the simulator's exportDamage fault writes (test/sim/http/damage.ts) fails the export with
// the xe path's record and check message, no success marker, the older good backup kept,
// no snapshot left — and the run reads no file back (the in-flight result is the verdict).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Simulator } from '../sim/index';
import type { ExportDamage } from '../sim/http/damage';
import { ensureBundle, snapshotUuids, startPool, workspace, type Workspace } from './helpers';
import { runXapiCli } from './xapi-helpers';

let sim: Simulator;
let ws: Workspace;
let good: Record<string, Record<string, string[]>>;
before(async () => {
  ensureBundle();
  sim = await startPool({
    name: 'verify',
    vms: [
      { name: 'web01', disks: [{ size: '4MiB', used: 1 }] },
      { name: 'rawvm', disks: [{ size: '3MiB', used: 1 }] },
      { name: 'vhdvm', disks: [{ size: '5MiB', used: 1 }] },
    ],
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

interface DamageCase {
  damage: ExportDamage;
  vm: string;
  lines: string[];
  record: string;
  detected: RegExp;
}

const CASES: DamageCase[] = [
  ...(
    [
      ['cut-at-member', /the archive ends after entry Ref:\d+\/00000000\.xxhash without its end-of-archive blocks/],
      ['cut-in-header', /the archive ends inside the header of entry #4 \(100 of 512 bytes/],
      ['cut-in-data', /the archive ends inside entry Ref:\d+\/00000000: 524288 of its 1048576 bytes/],
      ['no-end-blocks', /the archive ends after entry Ref:\d+\/00000003\.xxhash without its end-of-archive blocks/],
      ['bad-chunk-checksum', /chunk Ref:\d+\/00000000 is damaged: its checksum entry says/],
      ['missing-chunk', /disk Ref:\d+ is incomplete: the archive ends after 3145728 of its 4194304 bytes/],
    ] as const
  ).map(([damage, detected]) => ({
    damage,
    vm: 'web01',
    lines: ['vm-export=web01'],
    record: 'VM-EXPORT-FAIL',
    detected,
  })),
  {
    damage: 'cut-last-piece',
    vm: 'web01',
    lines: ['compress=true', 'vm-export=web01'],
    record: 'VM-EXPORT-FAIL',
    detected: /the gzip stream is damaged: unexpected end of file/,
  },
  {
    damage: 'cut-last-piece',
    vm: 'web01',
    lines: ['compress=zstd', 'vm-export=web01'],
    record: 'VM-EXPORT-FAIL',
    detected: /the zstd stream is damaged/,
  },
  {
    damage: 'cut-last-piece',
    vm: 'web01',
    lines: ['vm-export=web01'],
    record: 'VM-EXPORT-FAIL',
    detected: /only one of its two end-of-archive blocks/,
  },
  {
    damage: 'cut-last-piece',
    vm: 'rawvm',
    lines: ['vdi_export_format=raw', 'vdi-export=rawvm'],
    record: 'VDI-EXPORT-FAIL',
    detected: /the raw image is 2621440 bytes, expected the disk's virtual size 3145728/,
  },
  {
    damage: 'vhd-bad-footer',
    vm: 'vhdvm',
    lines: ['vdi_export_format=vhd', 'vdi-export=vhdvm'],
    record: 'VDI-EXPORT-FAIL',
    detected: /the vhd footer is damaged \(wrong checksum\)/,
  },
];

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
