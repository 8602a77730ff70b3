// The engine's --dry-run announces the deletions the next real run makes: the last failed
// backup (lastFailedFolder), pre_clean's and retention's, from the same nextRunDeletions that
// `vmbackup list` marks with (runner/src/backup/retention.ts). A dry run, then a real run of
// the same config: the folders the real run removed are exactly the ones announced.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Simulator } from '../sim/index';
import { ensureBundle, runCli, startPool, workspace } from './helpers';

let sim: Simulator;
before(async () => {
  ensureBundle();
  sim = await startPool({
    name: 'dry-run-deletions',
    vms: [
      { name: 'web01', disks: [{ size: '1MiB', used: 1 }] },
      { name: 'db01', disks: [{ size: '1MiB', used: 1 }] },
    ],
  });
});
after(async () => sim.close());

/** Backup folders by hand: `true` has a success marker, `false` is a failed one. */
function seed(vmDir: string, folders: Record<string, boolean>): void {
  for (const [name, success] of Object.entries(folders)) {
    mkdirSync(join(vmDir, name), { recursive: true });
    if (success) writeFileSync(join(vmDir, name, 'success'), '');
  }
}

const day = (d: number) => `backup-2020-01-0${d}-(00:00:00)`;

for (const preClean of [false, true]) {
  test(`--dry-run announces what the next run deletes, the last failed too (pre_clean=${preClean})`, async () => {
    const ws = workspace();
    const config = ws.writeConfig(['vm-export=web01:3', 'vm-export=db01:2']);
    const words = preClean ? ['pre_clean=true'] : [];
    // web01: the newest failed, within max_backups: only the last-failed rule deletes it.
    seed(join(ws.backupDir, 'web01'), { [day(1)]: true, [day(2)]: false });
    // db01: an old failed folder, older good ones, the newest failed.
    seed(join(ws.backupDir, 'db01'), {
      [day(1)]: true,
      [day(2)]: false,
      [day(3)]: true,
      [day(4)]: true,
      [day(5)]: false,
    });
    const before = (vm: string) => readdirSync(join(ws.backupDir, vm));
    const snapshot = { web01: before('web01'), db01: before('db01') };

    const dry = await runCli(sim, [config, ...words, '--dry-run']);
    assert.equal(dry.code, 0, dry.stdout + dry.stderr);
    const announced = [...dry.stdout.matchAll(/\[dry-run\] would delete [^\n]*?\/(web01|db01)\/(backup-\S+)/g)]
      .map((m) => `${m[1]}/${m[2]}`)
      .sort();
    assert.deepEqual({ web01: before('web01'), db01: before('db01') }, snapshot, 'a dry run deletes nothing');

    const real = await runCli(sim, [config, ...words]);
    assert.equal(real.code === 0 || real.code === 1, true, real.stdout + real.stderr);
    const deleted = (['web01', 'db01'] as const)
      .flatMap((vm) => snapshot[vm].filter((f) => !before(vm).includes(f)).map((f) => `${vm}/${f}`))
      .sort();
    assert.ok(deleted.includes(`web01/${day(2)}`), 'the real run deletes the last failed backup');
    assert.deepEqual(announced, deleted);
  });
}
