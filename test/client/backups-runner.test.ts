// The Backups view's command lines against the real runner: backups made by dist/vmbackup.js
// against the simulator, listed and verified through listInvocation/verifyInvocation exactly
// as the view runs them, and drawn by the tree model. A damaged archive turns its item red and
// the newest good backup is still the one Delete refuses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, truncateSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ensureBundle, cliPath, runCli, startPool, workspace } from '../runner/helpers';
import {
  listInvocation,
  parseListing,
  parseVerifyReport,
  restoreInvocation,
  verifyInvocation,
} from '../../client/src/backupCommands';
import { parseEventLine } from '../../client/src/runnerProcess';
import { applyVerification, configNode, deletionRefusal, findBackup } from '../../client/src/backupsTree';
import type { RunnerInvocation, RunnerSettings } from '../../client/src/runnerInvocation';

const settings: RunnerSettings = {
  poolUrl: '',
  certificateFingerprint: '',
  transport: 'local',
  sshTarget: '',
  xePath: '',
  extraArgs: [],
  env: {},
};
const base = {
  nodePath: process.execPath,
  platform: process.platform,
  runnerScript: cliPath,
  settings,
  baseEnv: process.env,
};

/** Runs it as the view does (no shell); asynchronous, since the simulator lives in this process. */
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

test('real backups: listed, verified and drawn as the view does; a damaged archive shows as damaged', {
  timeout: 180_000,
}, async () => {
  ensureBundle();
  const sim = await startPool('demo');
  try {
    const ws = workspace();
    const config = ws.writeConfig(['max_backups=2', 'vm-export=TEMP-scratch']);
    for (let i = 0; i < 2; i++) {
      const backup = await runCli(sim, [config]);
      assert.equal(backup.code, 0, backup.stdout + backup.stderr);
      // Folder names have one-second resolution: wait until the next run gets its own name.
      const start = Date.now();
      while (Math.floor(Date.now() / 1000) === Math.floor(start / 1000)) await new Promise((r) => setImmediate(r));
    }
    const listed = await run(listInvocation(base, config));
    assert.equal(listed.status, 0, listed.stderr);
    const listing = parseListing(listed.stdout, listed.stderr);
    const vm = listing.vms.find((v) => v.vm === 'TEMP-scratch');
    assert.ok(vm);
    assert.equal(vm.backups.length, 2);
    const [older, newer] = vm.backups;
    const uri = 'file:///c.cfg';
    const tree = configNode(uri, 'test.cfg', listing);
    assert.equal(findBackup([tree], uri, newer!.path)?.state, 'unverified');
    assert.match(deletionRefusal(vm, newer!.folder) ?? '', /newest good/);
    assert.equal(deletionRefusal(vm, older!.folder), undefined);

    const good = await run(verifyInvocation(base, [newer!.path], config));
    const goodReport = parseVerifyReport(good.stdout, good.stderr);
    assert.equal(goodReport.folders[0]?.result, 'good');
    const xva = readdirSync(older!.path).find((f) => f.endsWith('.xva'));
    assert.ok(xva);
    const file = join(older!.path, xva);
    truncateSync(file, statSync(file).size - 1000);
    const bad = await run(verifyInvocation(base, [older!.path], config));
    const badReport = parseVerifyReport(bad.stdout, bad.stderr);
    assert.equal(badReport.folders[0]?.result, 'damaged');

    const verified = applyVerification(listing, [...goodReport.folders, ...badReport.folders]);
    const redrawn = configNode(uri, 'test.cfg', verified);
    assert.deepEqual(
      [findBackup([redrawn], uri, newer!.path)?.state, findBackup([redrawn], uri, older!.path)?.state],
      ['good', 'damaged'],
    );
    assert.match(findBackup([redrawn], uri, older!.path)?.tooltip ?? '', /Damaged: /);

    // Restore… as the view runs it: a hostile new name and the SR by name, the password only
    // in the environment; the restore-report event names the VM made.
    const poolBase = { ...base, settings: { ...settings, poolUrl: sim.url, xePath: sim.xePath } };
    const name = 'TEMP "restored" $(x)';
    const restore = restoreInvocation(
      poolBase,
      'restore',
      newer!.path,
      { name, sr: 'Local storage' },
      sim.password,
      config,
    );
    const restored = await run(restore);
    assert.equal(restored.status, 0, restored.stdout + restored.stderr);
    const report = restored.stdout
      .split('\n')
      .map(parseEventLine)
      .find((e) => e?.type === 'restore-report');
    assert.ok(report?.type === 'restore-report');
    assert.deepEqual([report.newName, report.dryRun, report.outcome], [name, false, 'success']);
    assert.ok(sim.state.entries('VM').some(([, vm]) => vm.name_label === name));
  } finally {
    await sim.close();
  }
});
