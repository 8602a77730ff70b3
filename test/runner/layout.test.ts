// Full runs of every export mode against the simulator: the exact folder layout of the
// original, success markers, metadata files, verified files, status log records, exit codes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { hostname } from 'node:os';
import type { Simulator } from '../sim/index';
import { BACKUP_FOLDER, ensureBundle, runCli, snapshotUuids, startPool, tree, workspace } from './helpers';

let sim: Simulator;
const fixture = {
  name: 'layout',
  vms: [
    {
      name: 'web01',
      disks: [{ size: '6MiB', used: 0.5 }, { size: '3MiB' }],
      vifs: ['Pool-wide network associated with eth0'],
    },
    { name: 'db 01', power: 'Halted', disks: [{ size: '5MiB', used: 0.4 }] },
    { name: 'app-02', disks: [{ size: '4MiB' }], cd: true },
  ],
};

before(async () => {
  ensureBundle();
  sim = await startPool(fixture);
});
after(async () => sim.close());

function onlyFolder(dir: string): string {
  const folders = readdirSync(dir);
  assert.equal(folders.length, 1, `one backup folder in ${dir}: ${folders.join(', ')}`);
  assert.match(folders[0]!, BACKUP_FOLDER);
  return join(dir, folders[0]!);
}

const server = hostname().split('.')[0];

test('vm-export: xva, metadata files, success, status log, exit 0, no snapshot left', async () => {
  const ws = workspace();
  const before = snapshotUuids(sim);
  const cfg = ws.writeConfig(['vm-export=web01', 'vm-export=db 01']);
  const result = await runCli(sim, [cfg]);
  assert.equal(result.code, 0, result.stdout + result.stderr);
  const folder = onlyFolder(join(ws.backupDir, 'web01'));
  assert.deepEqual(tree(folder), [
    'DISK-xvda/',
    'DISK-xvda/vbd.cfg',
    'DISK-xvda/vdi.cfg',
    'DISK-xvdb/',
    'DISK-xvdb/vbd.cfg',
    'DISK-xvdb/vdi.cfg',
    'VIFs/',
    'VIFs/vif-0.cfg',
    'success',
    'vm-metadata.xml',
    'web01.xva',
  ]);
  const vbd = readFileSync(join(folder, 'DISK-xvda', 'vbd.cfg'), 'utf8');
  assert.match(
    vbd,
    new RegExp(
      /^userdevice=0\nbootable=True\nmode=RW\ntype=Disk\n/.source +
        /unpluggable=(True|False)\nempty=False\norig_uuid=[0-9a-f-]{36}\n$/.source,
    ),
  );
  const vdi = readFileSync(join(folder, 'DISK-xvda', 'vdi.cfg'), 'utf8');
  assert.match(
    vdi,
    new RegExp(
      /^name_label=.*\nname_description=.*\nvirtual_size=6291456\ntype=user\nsharable=False\n/.source +
        /read_only=False\norig_uuid=[0-9a-f-]{36}\norig_sr_uuid=[0-9a-f-]{36}\n$/.source,
    ),
  );
  const vif = readFileSync(join(folder, 'VIFs', 'vif-0.cfg'), 'utf8');
  assert.match(
    vif,
    new RegExp(
      /^device=0\nnetwork_name_label=Pool-wide network associated with eth0\nMTU=1500\n/.source +
        /MAC=[0-9a-f:]{17}\nother_config=\{.*\}\norig_uuid=[0-9a-f-]{36}\n$/.source,
    ),
  );
  const xml = readFileSync(join(folder, 'vm-metadata.xml'), 'utf8');
  assert.ok(xml.startsWith('<?xml version="1.0"?>\n<value>\n  <struct>\n'), xml.slice(0, 80));
  assert.ok(xml.includes('<value>web01</value>') || xml.includes('web01'));
  assert.equal(readFileSync(join(folder, 'success'), 'utf8'), '');
  assert.match(readFileSync(join(folder, 'web01.xva')).subarray(0, 7).toString(), /^ova.xml/);
  // Halted VM is backed up without failing.
  onlyFolder(join(ws.backupDir, 'db 01'));
  assert.deepEqual(snapshotUuids(sim), before, 'every snapshot of the run is gone');

  const log = readFileSync(ws.statusLog, 'utf8').trimEnd().split('\n');
  const ts = String.raw`\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2}`;
  assert.equal(log.length, 6, log.join('\n'));
  assert.match(log[0]!, new RegExp(`^${ts},vmbackup\\.py,${server},begin$`));
  assert.match(log[1]!, new RegExp(`^${ts},vm-export,${server},begin,web01$`));
  assert.match(log[2]!, new RegExp(`^${ts},vm-export,${server},end,SUCCESS web01,elapse:0 size:0G$`));
  assert.match(log[4]!, new RegExp(`^${ts},vm-export,${server},end,SUCCESS db 01,elapse:0 size:0G$`));
  assert.match(log[5]!, new RegExp(`^${ts},vmbackup\\.py,${server},end,SUCCESS,S:2 W:0 E:0$`));
  assert.match(result.stdout, /^\d{4}-\d{2}-\d{2}-\(\d{2}:\d{2}:\d{2}\) - VmBackup ended - Success - S:2 W:0 E:0$/m);
  assert.match(result.stdout, /Space before backups: df -Th /);
  assert.match(result.stdout, /Space status: df -Th /);
});

for (const [word, extension] of [
  ['compress=true', 'web01.xva.gz'],
  ['compress=zstd', 'web01.xva.zst'],
] as const) {
  test(`vm-export with ${word} writes ${extension} and verifies it`, async () => {
    const ws = workspace();
    const cfg = ws.writeConfig(['vm-export=web01']);
    const result = await runCli(sim, [cfg, word]);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const folder = onlyFolder(join(ws.backupDir, 'web01'));
    const files = readdirSync(folder);
    assert.ok(files.includes(extension), files.join(', '));
    assert.ok(files.includes('success'));
    const head = readFileSync(join(folder, extension)).subarray(0, 4);
    if (extension.endsWith('.gz')) assert.deepEqual([...head.subarray(0, 2)], [0x1f, 0x8b]);
    else assert.deepEqual([...head], [0x28, 0xb5, 0x2f, 0xfd]);
  });
}

test('compress as a config key', async () => {
  const ws = workspace();
  const cfg = ws.writeConfig(['compress=gzip', 'vm-export=app-02']);
  const result = await runCli(sim, [cfg]);
  assert.equal(result.code, 0, result.stdout + result.stderr);
  assert.ok(readdirSync(onlyFolder(join(ws.backupDir, 'app-02'))).includes('app-02.xva.gz'));
});

for (const format of ['raw', 'vhd'] as const) {
  test(`vdi-export ${format}: boot disk image of the virtual size, verified`, async () => {
    const ws = workspace();
    const before = snapshotUuids(sim);
    const cfg = ws.writeConfig([`vdi_export_format=${format}`, 'vdi-export=db 01']);
    const result = await runCli(sim, [cfg]);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const folder = onlyFolder(join(ws.backupDir, 'db 01'));
    assert.deepEqual(tree(folder), [
      'DISK-xvda/',
      'DISK-xvda/vbd.cfg',
      'DISK-xvda/vdi.cfg',
      'VIFs/',
      'VIFs/vif-0.cfg',
      `db 01.${format}`,
      'success',
      'vm-metadata.xml',
    ]);
    const image = readFileSync(join(folder, `db 01.${format}`));
    if (format === 'raw') assert.equal(image.length, 5 * 1024 * 1024);
    else assert.equal(image.subarray(image.length - 512, image.length - 504).toString('latin1'), 'conectix');
    assert.deepEqual(snapshotUuids(sim), before);
    assert.match(readFileSync(ws.statusLog, 'utf8'), /,vdi-export,[^,]+,end,SUCCESS db 01,elapse:0 size:0G\n/);
  });
}

test('metadata-export: a metadata-only xva', async () => {
  const ws = workspace();
  const cfg = ws.writeConfig(['metadata-export=app-02']);
  const result = await runCli(sim, [cfg]);
  assert.equal(result.code, 0, result.stdout + result.stderr);
  const folder = onlyFolder(join(ws.backupDir, 'app-02'));
  assert.ok(readdirSync(folder).includes('app-02.xva'));
  assert.ok(readdirSync(folder).includes('success'));
  assert.ok(readFileSync(join(folder, 'app-02.xva')).length < 200 * 1024, 'no disk data in a metadata export');
});

test('pool_db_backup=1 dumps the pool database only on the master', async () => {
  const ws = workspace();
  const cfg = ws.writeConfig(['pool_db_backup=1', 'vm-export=app-02']);
  const result = await runCli(sim, [cfg]);
  assert.equal(result.code, 0, result.stdout + result.stderr);
  assert.match(result.stdout, /\*\*\* begin backup_pool_metadata \*\*\*/);
  // The simulated pool's master is not this machine's hostname: the original skips it.
  assert.match(result.stdout, /\*\* ignore: NOT master/);
  assert.deepEqual(readdirSync(ws.backupDir).sort(), ['app-02']);
});

test('vm-selector: no status log, default settings, JSON events', async () => {
  const ws = workspace();
  const result = await runCli(sim, ['--json', 'vdi-export=db 01']);
  // backup_dir defaults to /snapshots/BACKUPS, which does not exist here: a clear error.
  assert.equal(result.code, 2);
  const events = result.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { type: string; time: string; message: string });
  for (const e of events) {
    assert.equal(typeof e.type, 'string');
    assert.ok(!Number.isNaN(Date.parse(e.time)));
  }
  assert.equal(events[0]!.type, 'run-start');
  assert.equal(events.at(-1)!.type, 'run-end');
  assert.ok(events.some((e) => e.type === 'error' && e.message.includes('backup_dir does not exist')));
  assert.deepEqual(readdirSync(ws.dir).sort(), ['BACKUPS', 'logs']);
});

test('pool_db_backup=1 on the pool master: METADATA_<host>/pool_db_YYYYMMDD-HHMMSS.dump', async () => {
  const master = await startPool({
    name: 'master-here',
    hosts: [{ name: hostname() }],
    vms: [{ name: 'solo', disks: [{ size: '1MiB' }] }],
  });
  try {
    const ws = workspace();
    const cfg = ws.writeConfig(['pool_db_backup=1', 'vm-export=solo']);
    const result = await runCli(master, [cfg]);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const dumps = readdirSync(join(ws.backupDir, `METADATA_${server}`));
    assert.equal(dumps.length, 1);
    assert.match(dumps[0]!, /^pool_db_\d{8}-\d{6}\.dump$/);
    assert.match(readFileSync(join(ws.backupDir, `METADATA_${server}`, dumps[0]!), 'utf8'), /<database>|<\?xml|<table/);
  } finally {
    await master.close();
  }
});

test('preview of a clean config exits 0; a not-found selection warns and exits 1', async () => {
  const ws = workspace();
  const clean = await runCli(sim, [ws.writeConfig(['vm-export=web01', 'vdi-export=db 01']), 'preview']);
  assert.equal(clean.code, 0, clean.stdout);
  assert.match(clean.stdout, / - SUCCESS preview of parameters \n/);
  const warn = await runCli(sim, [ws.writeConfig(['vm-export=web01', 'vm-export=nope'], 'warn.cfg'), 'preview']);
  assert.equal(warn.code, 1, warn.stdout);
  assert.match(warn.stdout, / - SUCCESS preview of parameters {2}- WARNINGS found \(see above\)\n/);
  assert.deepEqual(readdirSync(ws.backupDir), [], 'preview changes nothing');
});

test('--dry-run plans without changing anything', async () => {
  const ws = workspace();
  const before = snapshotUuids(sim);
  const result = await runCli(sim, ['--dry-run', ws.writeConfig(['vm-export=web01'])]);
  assert.equal(result.code, 0, result.stdout);
  assert.match(result.stdout, /\[dry-run\] would create .*web01\/backup-/);
  assert.deepEqual(readdirSync(ws.backupDir), []);
  assert.deepEqual(snapshotUuids(sim), before);
});

test('ignore_extra_keys=true: an unknown key is reported and skipped, the run still succeeds', async () => {
  const ws = workspace();
  const cfg = ws.writeConfig(['spare_key=1', 'vm-export=app-02']);
  const refused = await runCli(sim, [cfg]);
  assert.equal(refused.code, 2, refused.stdout);
  assert.match(refused.stdout, /test\.cfg:3:1: error VMB005 /);
  assert.deepEqual(readdirSync(ws.backupDir), []);
  const accepted = await runCli(sim, [cfg, 'ignore_extra_keys=true']);
  assert.equal(accepted.code, 0, accepted.stdout);
  assert.match(accepted.stdout, /test\.cfg:3:1: warning VMB005 /);
  assert.ok(readdirSync(ws.backupDir).includes('app-02'));
});
