// THE test of issue 14: the demo backup with `--transport xapi` and no xe anywhere on PATH
// writes the same folder layout, file names, metadata files and status-log records as the xe
// transport's run of the same config. Pool steps go through XenAPI as xapi's CLI server
// serves xe's verbs (cli_operations.ml); downloads as xe makes them (download_file,
// track_http_operation): task_id, then the task's outcome.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Fixture, Simulator } from '../sim/index';
import { ensureBundle, repoRoot, runCli, snapshotUuids, startPool, tree, workspace } from './helpers';
import { pathWithoutXe, runXapiCli } from './xapi-helpers';

let sim: Simulator;
before(async () => {
  ensureBundle();
  const demo = JSON.parse(readFileSync(join(repoRoot, 'test', 'sim', 'fixtures', 'demo.json'), 'utf8')) as Fixture;
  // The master is this machine for both runs, so pool_db_backup=1 dumps the database in both.
  sim = await startPool({ ...demo, hosts: [{ name: hostname(), address: '127.0.0.1' }] });
});
after(async () => sim.close());

const demoConfig = () =>
  readFileSync(join(repoRoot, 'examples', 'demo.cfg'), 'utf8')
    .split('\n')
    .filter((l) => !/^(backup_dir|status_log)=/.test(l));

/** Backup-folder dates and the dump's time replaced: the layout two runs must share. */
const normalise = (path: string) =>
  path
    .replace(/backup-\d{4}-\d{2}-\d{2}-\(\d{2}:\d{2}:\d{2}\)/g, 'backup-DATE')
    .replace(/pool_db_\d{8}-\d{6}\.dump/, 'pool_db_DATE.dump');

/** Status-log records without time and elapsed time. */
const records = (log: string) =>
  log
    .trim()
    .split('\n')
    .map((l) => l.replace(/^\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2},/, '').replace(/,elapse:\d+ size:/, ',size:'));

test('no xe on the PATH the xapi run gets', () => {
  assert.throws(() => execFileSync('sh', ['-c', 'command -v xe'], { env: { PATH: pathWithoutXe() } }));
});

test('the demo backup with --transport xapi and no xe: same layout and status log as the xe transport', async () => {
  const snapshotsBefore = snapshotUuids(sim);
  const viaXe = workspace();
  const xeRun = await runCli(sim, ['--concurrency', '2', viaXe.writeConfig(demoConfig())]);
  assert.equal(xeRun.code, 0, xeRun.stdout + xeRun.stderr);
  const viaXapi = workspace();
  const xapiRun = await runXapiCli(sim, ['--concurrency', '2', viaXapi.writeConfig(demoConfig())]);
  assert.equal(xapiRun.code, 0, xapiRun.stdout + xapiRun.stderr);
  assert.match(xapiRun.stdout, /VmBackup ended - Success - S:7 W:0 E:0/);
  assert.match(xapiRun.stdout, /through XenAPI http:\/\/127\.0\.0\.1:\d+\/? \(xapi transport\)/);

  const layout = (dir: string) => tree(dir).map(normalise).sort();
  assert.deepEqual(layout(viaXapi.backupDir), layout(viaXe.backupDir));
  assert.ok(layout(viaXapi.backupDir).some((f) => /^METADATA_[^/]+\/pool_db_DATE\.dump$/.test(f)));
  assert.equal(layout(viaXapi.backupDir).filter((f) => f.endsWith('/success')).length, 7);
  // Every file the same size (metadata files, exports), except the database dump, which holds
  // each run's own sessions and tasks; vm-metadata.xml names objects by the export's own
  // counter (Ref:N, one more digit as the simulator counts on), so it is measured without them.
  const size = (path: string) =>
    path.endsWith('vm-metadata.xml')
      ? readFileSync(path, 'utf8').replace(/Ref:\d+/g, 'Ref:N').length
      : statSync(path).size;
  const sizes = (dir: string) =>
    Object.fromEntries(
      tree(dir)
        .filter((f) => !f.endsWith('/') && !f.endsWith('.dump'))
        .map((f) => [normalise(f), size(join(dir, f))]),
    );
  assert.deepEqual(sizes(viaXapi.backupDir), sizes(viaXe.backupDir));
  // Two VMs at a time (--concurrency 2, as the demo): the records of the VMs may interleave
  // differently; the same records, the run's begin first and its end last.
  const xapiRecords = records(readFileSync(viaXapi.statusLog, 'utf8'));
  const xeRecords = records(readFileSync(viaXe.statusLog, 'utf8'));
  assert.deepEqual([...xapiRecords].sort(), [...xeRecords].sort());
  assert.equal(xapiRecords[0], xeRecords[0]);
  assert.equal(xapiRecords.at(-1), xeRecords.at(-1));
  assert.equal(xapiRecords.length, 16);
  // The in-flight check stood for the read-back: the same verdict lines.
  const checks = (out: string) => out.split('\n').filter((l) => l.includes('export file check: ')).length;
  assert.equal(checks(xapiRun.stdout), 7);
  assert.deepEqual(snapshotUuids(sim), snapshotsBefore, 'every snapshot removed');
});

test('pool_db_backup=1 with --transport xapi dumps the database although this machine is no pool host', async () => {
  // XenAPI always reaches the master (HOST_IS_SLAVE is followed): no "am I the master" test.
  const other = await startPool({
    name: 'agentless-pool-db',
    hosts: [{ name: 'not-this-machine', address: '127.0.0.1' }],
    vms: [{ name: 'solo', power: 'Halted', disks: [{ size: '1MiB' }] }],
  });
  try {
    const ws = workspace();
    const result = await runXapiCli(other, [ws.writeConfig(['pool_db_backup=1', 'vm-export=solo'])]);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.doesNotMatch(result.stdout, /NOT master/);
    const dumps = tree(ws.backupDir).filter((f) => /^METADATA_[^/]+\/pool_db_\d{8}-\d{6}\.dump$/.test(f));
    assert.equal(dumps.length, 1, tree(ws.backupDir).join('\n'));
    assert.match(readFileSync(join(ws.backupDir, dumps[0]!), 'utf8'), /<database>|<\?xml|<table/);
  } finally {
    await other.close();
  }
});

test('preview and --dry-run with --transport xapi: as with the other transports, nothing changes', async () => {
  const ws = workspace();
  const cfg = ws.writeConfig(demoConfig());
  const snapshotsBefore = snapshotUuids(sim);
  const preview = await runXapiCli(sim, [cfg, 'preview']);
  assert.equal(preview.code, 0, preview.stdout + preview.stderr);
  assert.match(preview.stdout, /SUCCESS preview of parameters \n/);
  const dry = await runXapiCli(sim, ['--dry-run', cfg]);
  assert.equal(dry.code, 0, dry.stdout + dry.stderr);
  assert.match(dry.stdout, /\[dry-run\] would vm-export PROD-web01/);
  assert.deepEqual(tree(ws.backupDir), []);
  assert.deepEqual(snapshotUuids(sim), snapshotsBefore);
});

test('compress=true and compress=zstd with --transport xapi: use_compression, checked in flight', async () => {
  for (const [compress, magic] of [
    ['true', '1f8b'],
    ['zstd', '28b52ffd'],
  ] as const) {
    const ws = workspace();
    const result = await runXapiCli(sim, [ws.writeConfig([`compress=${compress}`, 'vm-export=PROD-web01'])]);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /export file check: complete archive: \d+ tar entries, 1 disk, \d+ chunk checksums/);
    const xva = tree(ws.backupDir).find((f) => /\/PROD-web01\.xva/.test(f))!;
    const head = readFileSync(join(ws.backupDir, xva))
      .subarray(0, magic.length / 2)
      .toString('hex');
    assert.equal(head, magic, `compress=${compress}`);
  }
});

test('a VM another tool holds (OTHER_OPERATION_IN_PROGRESS): the busy retry names the operation', async (t) => {
  // xapi's error parameters (class, object, operation_type) as xe prints them: busy.ts reads them.
  sim.timing.set({ vmOperationWaitMs: 0 });
  sim.faults.set({ vmBusy: { vm: 'PROD-web01', operation: 'migrate_send' } });
  t.after(() => {
    sim.faults.reset();
    sim.timing.set('instant');
  });
  const ws = workspace();
  const result = await runXapiCli(sim, ['--busy-wait', '0', ws.writeConfig(['vm-export=PROD-web01'])]);
  assert.equal(result.code, 2, result.stdout + result.stderr);
  assert.match(result.stdout, /busy, another operation \(migrate_send\) is in progress on it; gave up after/);
  assert.match(readFileSync(ws.statusLog, 'utf8'), /,end,SNAPSHOT-FAIL PROD-web01\n/);
});
