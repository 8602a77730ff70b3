// The Backups view's Delete against the real runner, locally and over the real sshd: the view
// asks `vmbackup delete` (deleteInvocation, exactly as backupsView.ts runs it) and its own
// refusal is the runner's rule (vmbackup-runner/backups/deletion), so both say the same words.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Simulator } from '../sim/index';
import { ensureBundle, cliPath, runCli, startPool, workspace } from '../runner/helpers';
import { startSshd, type Sshd } from '../harness/sshd';
import { deleteInvocation, listInvocation, parseDeleteReport, parseListing } from '../../client/src/backupCommands';
import { deletionRefusal } from '../../client/src/backupsTree';
import type { RunnerInvocation, RunnerSettings } from '../../client/src/runnerInvocation';

const local: RunnerSettings = {
  poolUrl: '',
  certificateFingerprint: '',
  transport: 'local',
  sshTarget: '',
  xePath: '',
  extraArgs: [],
  env: {},
};
const base = (settings: RunnerSettings) => ({
  nodePath: process.execPath,
  platform: process.platform,
  runnerScript: cliPath,
  settings,
  baseEnv: process.env,
});

function run(invocation: RunnerInvocation): Promise<{ stdout: string; stderr: string; status: number | null }> {
  const { ELECTRON_RUN_AS_NODE: _, ...env } = invocation.env;
  const child = spawn(invocation.command, invocation.args, {
    cwd: invocation.cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((resolve) => child.on('close', (status) => resolve({ stdout, stderr, status })));
}

let sim: Simulator;
let sshd: Sshd;
let ws: ReturnType<typeof workspace>;
let config: string;
let sshConfig: string;

before(async () => {
  ensureBundle();
  sim = await startPool('demo');
  sshd = await startSshd();
  ws = workspace();
  config = ws.writeConfig(['max_backups=5', 'vm-export=TEMP-scratch']);
  const backup = await runCli(sim, [config]);
  assert.equal(backup.code, 0, backup.stdout + backup.stderr);
  // What a user's ssh config holds for the target (the view's list runs without one).
  sshConfig = join(ws.dir, 'ssh_config');
  writeFileSync(
    sshConfig,
    `IdentityFile ${sshd.identityFile}\nIdentitiesOnly yes\nUserKnownHostsFile ${sshd.knownHostsFile}\n`,
  );
});
after(async () => {
  await sshd?.stop();
  await sim?.close();
});

for (const transport of ['local', 'ssh'] as const) {
  test(`Delete (${transport}): the runner deletes older ones, refuses the newest good in its words`, async () => {
    const settings: RunnerSettings =
      transport === 'ssh' ? { ...local, transport: 'ssh', sshTarget: sshd.target } : local;
    // The test's identity for the harness sshd, as a user's ~/.ssh/config would give it.
    const withIdentity = (invocation: RunnerInvocation): RunnerInvocation => {
      if (transport === 'local') return invocation;
      const args = [...invocation.args];
      args.splice(args.indexOf('--'), 0, '--ssh-config', sshConfig);
      return { ...invocation, args };
    };
    const vmDir = join(ws.backupDir, 'TEMP-scratch');
    const newest = readdirSync(vmDir).sort().at(-1)!;
    const older = `backup-2020-01-0${transport === 'local' ? 1 : 2}-(00:00:00)`;
    cpSync(join(vmDir, newest), join(vmDir, older), { recursive: true });
    const failed = `backup-2020-02-0${transport === 'local' ? 1 : 2}-(00:00:00)`;
    mkdirSync(join(vmDir, failed));

    const listed = await run(withIdentity(listInvocation(base(settings), config)));
    assert.equal(listed.status, 0, listed.stderr);
    const listing = parseListing(listed.stdout, listed.stderr);
    assert.match(listing.host, transport === 'ssh' ? /^ssh / : /^local/);
    const vm = listing.vms.find((v) => v.vm === 'TEMP-scratch')!;
    const path = (folder: string) => vm.backups.find((b) => b.folder === folder)!.path;

    const invocation = deleteInvocation(base(settings), [path(older), path(failed)], listing.backupDir, config);
    if (transport === 'ssh') assert.deepEqual(invocation.args.slice(1, 5), ['delete', '--json', '--ssh', sshd.target]);
    const deleted = await run(withIdentity(invocation));
    assert.equal(deleted.status, 0, deleted.stdout + deleted.stderr);
    const report = parseDeleteReport(deleted.stdout, deleted.stderr);
    assert.deepEqual(
      report.folders.map((f) => f.result),
      ['deleted', 'deleted'],
    );
    assert.equal(existsSync(join(vmDir, older)) || existsSync(join(vmDir, failed)), false);

    const viewSays = deletionRefusal(vm, newest);
    assert.match(viewSays ?? '', /newest good backup of TEMP-scratch/);
    const refused = await run(
      withIdentity(deleteInvocation(base(settings), [path(newest)], listing.backupDir, config)),
    );
    assert.equal(refused.status, 1, refused.stdout + refused.stderr);
    const folder = parseDeleteReport(refused.stdout, refused.stderr).folders[0];
    assert.deepEqual([folder?.result, folder?.reason], ['refused', viewSays]);
    assert.ok(existsSync(join(vmDir, newest, 'success')));
  });
}
