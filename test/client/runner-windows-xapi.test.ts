// Stop on a Windows workstation, end to end: the extension's RunnerProcess, with the invocation
// built for win32, asks the real runner (dist/vmbackup.js) to stop mid-export through the IPC
// stop message — Windows has no SIGTERM a child can catch — and the runner cleans up exactly as
// after a SIGTERM: snapshot removed, partial folder removed, INTERRUPTED in the status log.
// And the extension's xapi transport setting, run the same way, with no `xe` on PATH.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { RunEvent } from '../../runner/src/backup/events';
import { buildRunnerInvocation } from '../../client/src/runnerInvocation';
import { RunnerProcess } from '../../client/src/runnerProcess';
import type { Simulator } from '../sim/index';
import { cliPath, ensureBundle, snapshotUuids, startPool, workspace } from '../runner/helpers';

let sim: Simulator;
before(async () => {
  ensureBundle();
  sim = await startPool({ name: 'stop', vms: [{ name: 'big01', disks: [{ size: '16MiB', used: 1 }] }] });
});
after(() => sim.close());

test('Windows Stop: the IPC stop message ends a backup cleanly, no snapshot or partial folder left', async () => {
  const ws = workspace();
  const config = ws.writeConfig(['vm-export=big01']);
  const before = snapshotUuids(sim);
  sim.faults.set({ exportBytesPerSecond: 256 * 1024 });
  const invocation = buildRunnerInvocation({
    nodePath: process.execPath,
    platform: 'win32',
    runnerScript: cliPath,
    configPath: config,
    action: 'backup',
    settings: {
      poolUrl: sim.url,
      certificateFingerprint: '',
      transport: 'local',
      sshTarget: '',
      xePath: sim.xePath,
      extraArgs: [],
      env: {},
    },
    password: sim.password,
    baseEnv: process.env,
  });
  assert.equal(invocation.stopBy, 'message');
  const events: RunEvent[] = [];
  const stderr: string[] = [];
  let exporting: () => void = () => undefined;
  const exportStarted = new Promise<void>((resolve) => (exporting = resolve));
  const runner = new RunnerProcess(invocation, {
    event: (event) => {
      events.push(event);
      if (event.type === 'step' && event.step === 'export') exporting();
    },
    text: () => undefined,
    stderr: (line) => stderr.push(line),
  });
  await exportStarted;
  runner.stop();
  const exit = await runner.exited;
  assert.equal(exit.signal, null, 'not killed: stopped by the message');
  assert.equal(exit.code, 2, stderr.join('\n'));
  assert.equal(exit.runEnd?.outcome, 'error');
  assert.ok(
    stderr.some((line) => /stop request received, stopping cleanly/.test(line)),
    stderr.join('\n'),
  );
  assert.deepEqual(snapshotUuids(sim), before);
  assert.deepEqual(readdirSync(join(ws.backupDir, 'big01')), []);
  assert.match(readFileSync(ws.statusLog, 'utf8'), /end,INTERRUPTED big01\n.*end,ERROR,S:0 W:0 E:1\n$/s);
  sim.faults.reset();
});

test('the xapi transport setting runs a backup with no xe anywhere: success marker and status log', async () => {
  const ws = workspace();
  const config = ws.writeConfig(['vm-export=big01']);
  const before = snapshotUuids(sim);
  const invocation = buildRunnerInvocation({
    nodePath: process.execPath,
    platform: process.platform,
    runnerScript: cliPath,
    configPath: config,
    action: 'backup',
    settings: {
      poolUrl: sim.url,
      certificateFingerprint: '',
      transport: 'xapi',
      sshTarget: '',
      // Ignored with xapi: the runner is not even told about it.
      xePath: sim.xePath,
      extraArgs: [],
      env: {},
    },
    password: sim.password,
    // No xe on PATH: only node's own folder and the system's.
    baseEnv: { PATH: `${dirname(process.execPath)}:/usr/bin:/bin`, HOME: ws.backupDir },
  });
  const stderr: string[] = [];
  const exit = await new RunnerProcess(invocation, {
    event: () => undefined,
    text: () => undefined,
    stderr: (line) => stderr.push(line),
  }).exited;
  assert.equal(exit.code, 0, stderr.join('\n'));
  assert.equal(exit.runEnd?.outcome, 'success');
  const [folder] = readdirSync(join(ws.backupDir, 'big01'));
  assert.deepEqual(
    readdirSync(join(ws.backupDir, 'big01', folder!)).filter((f) => /success|xva/.test(f)),
    ['big01.xva', 'success'],
  );
  assert.deepEqual(snapshotUuids(sim), before);
  assert.match(readFileSync(ws.statusLog, 'utf8'), /end,SUCCESS,S:1 W:0 E:0\n$/);
});
