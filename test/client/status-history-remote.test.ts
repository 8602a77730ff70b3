// The status log history with the ssh transport: where the log is (statusLogPlace.ts, pure),
// and the same history drawn from the remote file read over the real sshd harness through
// the `vmbackup-ssh:` file system's reader (remoteFiles.ts, as remoteFileSystem.ts reads a
// URI: its authority through remoteTargetFor, its path), and a failing night's lines there.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalHost } from '../../runner/src/host/local';
import { StatusLog } from '../../runner/src/backup/statusLog';
import { parseStatusHistory } from 'vmbackup-runner/backup/statusHistory';
import { historyModel } from '../../client/src/historyPage';
import { statusLogPlace } from '../../client/src/statusLogPlace';
import { RemoteFileReader } from '../../client/src/remoteFiles';
import { remoteTargetFor } from '../../client/src/remoteTarget';
import type { RunnerSettings } from '../../client/src/runnerInvocation';
import { startSshd, type Sshd } from '../harness/sshd';

const settings = (transport: 'local' | 'ssh', sshTarget = '', extraArgs: string[] = []): RunnerSettings => ({
  poolUrl: '',
  certificateFingerprint: '',
  transport,
  sshTarget,
  xePath: '',
  extraArgs,
  env: {},
});

let sshd: Sshd;
let scratch: string;
let sshConfig: string;

before(async () => {
  sshd = await startSshd();
  scratch = mkdtempSync(join(tmpdir(), 'vmbackup-remote-history-'));
  sshConfig = join(scratch, 'ssh_config');
  writeFileSync(
    sshConfig,
    `IdentityFile ${sshd.identityFile}\nIdentitiesOnly yes\nUserKnownHostsFile ${sshd.knownHostsFile}\n`,
  );
});
after(async () => {
  await sshd?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

test('where the status log is: local relative to the config; over ssh an absolute path on the target', () => {
  assert.deepEqual(statusLogPlace('logs/s.log', '/etc/vmbackup/a.cfg', settings('local')), {
    kind: 'local',
    file: '/etc/vmbackup/logs/s.log',
  });
  const remote = statusLogPlace('/var/log/vm backup/#1?.log', '/here/a.cfg', settings('ssh', 'root@xen1:2222'));
  assert.ok(remote.kind === 'remote');
  assert.equal(remote.path, '/var/log/vm backup/#1?.log');
  // The URI's path decodes to the file's path (a # or ? in it is no fragment or query).
  const url = new URL(remote.uri);
  assert.deepEqual([url.protocol, url.username, url.host], ['vmbackup-ssh:', 'root', 'xen1:2222']);
  assert.equal(decodeURIComponent(url.pathname), remote.path);
  const relative = statusLogPlace('status.log', '/here/a.cfg', settings('ssh', 'root@xen1'));
  assert.match(relative.kind === 'unavailable' ? relative.reason : '', /relative: over ssh only an absolute/);
  const badTarget = statusLogPlace('/s.log', '/here/a.cfg', settings('ssh', 'root@xen1 -oProxyCommand=x'));
  assert.match(badTarget.kind === 'unavailable' ? badTarget.reason : '', /must be user@host/);
});

test('over ssh (real sshd) the history is the one of the file, and a failing night reads its own lines', async () => {
  const dir = join(scratch, 'logs dir $(x)');
  mkdirSync(dir);
  const file = join(dir, 'status.log');
  // Two nights written by the runner's own StatusLog: an error night, then a good one.
  let clock = new Date(Date.UTC(2026, 0, 29, 23, 0, 0));
  const log = new StatusLog(
    createLocalHost(),
    file,
    'xs1',
    () => clock,
    (m) => assert.fail(m),
  );
  await log.runBegin();
  await log.vmEnd('vdi-export', 'VDI-EXPORT-FAIL db');
  clock = new Date(Date.UTC(2026, 0, 29, 23, 7, 0));
  await log.runEnd('ERROR', 'S:0 W:0 E:1');
  clock = new Date(Date.UTC(2026, 0, 30, 23, 0, 0));
  await log.runBegin();
  await log.runEnd('SUCCESS', 'S:1 W:0 E:0');
  await log.flush();

  const runner = settings('ssh', sshd.target, ['--ssh-config', sshConfig]);
  const place = statusLogPlace(file, join(scratch, 'a.cfg'), runner);
  assert.ok(place.kind === 'remote');
  // What the file system provider does with the URI: its authority and its path.
  const url = new URL(place.uri);
  const options = remoteTargetFor(`${url.username}@${url.host}`, [runner]);
  assert.ok(!('refused' in options), JSON.stringify(options));
  assert.ok('refused' in remoteTargetFor('root@elsewhere', [runner]), 'only the configured target');
  const reader = new RemoteFileReader();
  try {
    const text = Buffer.from(await reader.read(options, decodeURIComponent(url.pathname))).toString('utf8');
    const remote = historyModel(parseStatusHistory(text));
    assert.deepEqual(remote, historyModel(parseStatusHistory(readFileSync(file, 'utf8'))));
    assert.equal(remote.total, 2);
    assert.equal(remote.failing.length, 1);
    const night = remote.failing[0]!;
    const lines = text.split('\n').slice(night.firstLine, night.lastLine + 1);
    assert.match(lines[0] ?? '', /2026/);
    assert.ok(lines.some((l) => l.includes('VDI-EXPORT-FAIL db')));
    assert.ok(!lines.some((l) => l.includes('S:1 W:0 E:0')), "the next night's lines are not the failing night's");
  } finally {
    await reader.close();
  }
});
