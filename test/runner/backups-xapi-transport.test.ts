// list, verify and delete with the agentless transport's options (`--transport xapi --xapi URL`,
// as the run that wrote the backups was given): its backups are files on this machine, so
// they are read here, with no xe on PATH, no password, and no pool asked.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Simulator } from '../sim/index';
import type { BackupListing, DeleteReport, VerifyReport } from '../../runner/src/backups/types';
import { cliPath, ensureBundle, startPool, workspace } from './helpers';
import { pathWithoutXe, runXapiCli } from './xapi-helpers';

let sim: Simulator;
let ws: ReturnType<typeof workspace>;
let config: string;

/** The CLI with no xe on PATH and no password in its environment. */
function vmbackup(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: pathWithoutXe() };
  delete env.VMBACKUP_PASSWORD;
  const child = spawn(process.execPath, [cliPath, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

before(async () => {
  ensureBundle();
  sim = await startPool({ name: 'backups-xapi', vms: [{ name: 'web01', disks: [{ size: '1MiB', used: 1 }] }] });
  ws = workspace();
  config = ws.writeConfig(['max_backups=3', 'vm-export=web01']);
  const result = await runXapiCli(sim, [config]);
  assert.equal(result.code, 0, result.stdout + result.stderr);
});
after(async () => sim.close());

test('list, verify and delete take --transport xapi and --xapi, and read the local backups', async () => {
  const xapi = ['--transport', 'xapi', '--xapi', sim.url];
  const listed = await vmbackup(['list', '--json', ...xapi, config]);
  assert.equal(listed.code, 0, listed.stdout + listed.stderr);
  const listing = JSON.parse(listed.stdout) as BackupListing;
  assert.equal(listing.host, 'local');
  const vm = listing.vms.find((v) => v.vm === 'web01');
  assert.deepEqual(
    vm?.backups.map((b) => b.folder),
    readdirSync(join(ws.backupDir, 'web01')),
  );
  const plain = JSON.parse((await vmbackup(['list', '--json', config])).stdout) as BackupListing;
  assert.deepEqual(listing.vms, plain.vms);

  const newest = vm!.backups.at(-1)!.path;
  const verified = await vmbackup(['verify', '--json', `--xapi=${sim.url}`, '--transport=xapi', newest]);
  assert.equal(verified.code, 0, verified.stdout + verified.stderr);
  assert.equal((JSON.parse(verified.stdout) as VerifyReport).folders[0]?.result, 'good');

  const older = join(ws.backupDir, 'web01', 'backup-2020-01-01-(00:00:00)');
  cpSync(newest, older, { recursive: true });
  const deleted = await vmbackup(['delete', '--json', ...xapi, '--backup-dir', ws.backupDir, older]);
  assert.equal(deleted.code, 0, deleted.stdout + deleted.stderr);
  assert.equal((JSON.parse(deleted.stdout) as DeleteReport).folders[0]?.result, 'deleted');
  assert.equal(existsSync(older), false);
});

test('--transport is checked as for a run: a name it does not know, ssh without --ssh, xapi with --ssh', async () => {
  for (const [args, message] of [
    [['--transport', 'nfs'], /--transport=nfs: expected xe, ssh or xapi/],
    [['--transport', 'ssh'], /--transport ssh needs --ssh/],
    [['--transport', 'xapi', '--ssh', 'root@h'], /--ssh cannot be combined with --transport xapi/],
  ] as const) {
    const result = await vmbackup(['list', ...args, ws.backupDir]);
    assert.equal(result.code, 2, result.stdout);
    assert.match(result.stderr, message);
  }
});
