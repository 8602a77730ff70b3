// The smaller findings of issue 11, item 9: the password in clear over `--xapi http://<remote>`,
// VMBACKUP_PASSWORD inherited by child processes, control characters of VM names in the logs,
// free space in useless units, EROFS reported as ENOENT, a dead ssh connection reported as
// "no sftp subsystem". (The only partial folder of a killed run: retention-safety.test.ts.)
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Simulator } from '../sim/index';
import { formatBytes } from '../../runner/src/backup/units';
import { openTransport } from '../../runner/src/cli/transport';
import { createLocalHost } from '../../runner/src/host/local';
import { createSshHost } from '../../runner/src/host/ssh';
import { isHostError } from '../../runner/src/host/errors';
import type { Host } from '../../runner/src/host/types';
import { startSshd } from '../harness/sshd';
import { ensureBundle, runCli, startPool, tempDir, workspace } from './helpers';

test('formatBytes: the unit that keeps the number readable', () => {
  assert.equal(formatBytes(0), '0 bytes');
  assert.equal(formatBytes(1023), '1023 bytes');
  assert.equal(formatBytes(1536), '1.5 KiB');
  assert.equal(formatBytes(300 * 1024 ** 2), '300.0 MiB');
  assert.equal(formatBytes(42 * 1024 ** 3), '42.0 GiB');
  assert.equal(formatBytes(3 * 1024 ** 4), '3.0 TiB');
});

test('--xapi http:// to a remote machine warns that the password crosses the network in clear', async () => {
  const remote = await openTransport({ xapi: 'http://pool.example:8080/' }, 'secret');
  assert.match(
    remote.cleartextWarning ?? '',
    /^WARNING --xapi http:\/\/pool\.example:8080\/ is plain http: the root password .* unencrypted/,
  );
  await remote.host.close();
  for (const xapi of ['http://localhost/', 'http://127.0.0.1:8080/', 'http://[::1]:80/', 'https://pool.example/']) {
    const transport = await openTransport({ xapi }, 'secret');
    assert.equal(transport.cleartextWarning, undefined, xapi);
    await transport.host.close();
  }
});

let sim: Simulator;
// No CR or LF in it: a name with a line break is refused per VM (xe passes arguments as lines);
// that case has its own test below.
const HOSTILE = 'evil\x1b]0;owned\x07\x1b[2JX\u2028Y\u2029Z\u0085\v\f!';
const WITH_CR = 'cr\rname';
before(async () => {
  ensureBundle();
  sim = await startPool({
    name: 'findings',
    vms: [
      { name: 'web01', disks: [{ size: '1MiB' }] },
      { name: HOSTILE, disks: [{ size: '1MiB' }] },
      { name: WITH_CR, disks: [{ size: '1MiB' }] },
    ],
  });
});
after(async () => sim.close());

test('VMBACKUP_PASSWORD (and --password-env variables) never reach the programs the runner starts', async () => {
  const ws = workspace();
  const envLog = join(ws.dir, 'xe-env');
  const wrapper = join(ws.dir, 'xe');
  writeFileSync(wrapper, `#!/bin/sh\nenv >> '${envLog}'\nexec '${sim.xePath}' "$@"\n`);
  chmodSync(wrapper, 0o755);
  const cfg = ws.writeConfig(['vm-export=web01']);
  const result = await runCli(sim, ['--xe', wrapper, cfg], { OTHER_SECRET: sim.password });
  assert.equal(result.code, 0, result.stdout + result.stderr);
  const first = readFileSync(envLog, 'utf8');
  assert.match(first, /^OTHER_SECRET=/m, 'the wrapper sees what is not a password source');
  assert.doesNotMatch(first, /^VMBACKUP_PASSWORD=/m);
  writeFileSync(envLog, '');
  const withEnvFlag = await runCli(sim, ['--xe', wrapper, '--password-env=OTHER_SECRET', cfg], {
    OTHER_SECRET: sim.password,
  });
  assert.equal(withEnvFlag.code, 0, withEnvFlag.stdout + withEnvFlag.stderr);
  const second = readFileSync(envLog, 'utf8');
  assert.match(second, /^PATH=/m, 'the wrapper ran');
  assert.doesNotMatch(second, /^(OTHER_SECRET|VMBACKUP_PASSWORD)=/m);
});

test('the ssh process does not inherit VMBACKUP_PASSWORD', async () => {
  const sshd = await startSshd();
  const dir = tempDir();
  const envLog = join(dir, 'ssh-env');
  const wrapper = join(dir, 'ssh');
  writeFileSync(wrapper, `#!/bin/sh\nenv >> '${envLog}'\nexec ssh "$@"\n`);
  chmodSync(wrapper, 0o755);
  process.env.VMBACKUP_PASSWORD = 'not-for-children';
  try {
    const host = await createSshHost({ ...sshd.hostOptions, sshPath: wrapper });
    await host.stat(dir);
    await host.run('true', []);
    await host.close();
  } finally {
    delete process.env.VMBACKUP_PASSWORD;
    await sshd.stop();
  }
  const seen = readFileSync(envLog, 'utf8');
  assert.match(seen, /^PATH=/m);
  assert.doesNotMatch(seen, /not-for-children/);
});

test('control characters of a VM name are shown as escapes in the human log and the status log', async () => {
  const ws = workspace();
  const result = await runCli(sim, [ws.writeConfig(['vm-export=evi.'])]);
  assert.equal(result.code, 0, JSON.stringify(result.stdout) + result.stderr);
  const raw = /[\x1b\x07\r\v\f\u0085\u2028\u2029]/;
  assert.doesNotMatch(result.stdout, raw);
  assert.ok(result.stdout.includes('evil\\x1b]0;owned\\x07\\x1b[2JX\\u2028Y\\u2029Z\\x85\\v\\f!'), result.stdout);
  const log = readFileSync(ws.statusLog, 'utf8');
  assert.doesNotMatch(log, raw);
  assert.ok(
    log.includes(',end,SUCCESS evil\\x1b]0;owned\\x07\\x1b[2JX\\u2028Y\\u2029Z\\x85\\v\\f!,elapse:0 size:0G\n'),
    log,
  );
  // The folder keeps the real name: restores find the VM by it.
  assert.ok(readdirSync(ws.backupDir).includes(HOSTILE));
});

test('a VM name with a CR is refused, and the CR is shown as an escape in both logs', async () => {
  const ws = workspace();
  const result = await runCli(sim, [ws.writeConfig(['vm-export=cr.'])]);
  assert.equal(result.code, 2, result.stdout);
  assert.doesNotMatch(result.stdout, /\r/);
  assert.match(result.stdout, /contains a line break/);
  assert.ok(result.stdout.includes('cr\\rname'), result.stdout);
  const log = readFileSync(ws.statusLog, 'utf8');
  assert.doesNotMatch(log, /\r/);
  assert.ok(log.includes('cr\\rname'), log);
});

/** A mount as root (tmpfs); undefined elsewhere. */
function tmpfs(size: string): { dir: string; run(...args: string[]): void; unmount(): void } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const dir = tempDir('vmbackup-tmpfs-');
  if (spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir]).status !== 0) return undefined;
  return {
    dir,
    run: (...args) => void spawnSync('mount', args),
    unmount: () => void spawnSync('umount', [dir]),
  };
}

test('not enough free space is said in units that show the numbers', async (t) => {
  const fs = tmpfs('256k');
  if (!fs) return t.skip('needs root to mount a small tmpfs');
  try {
    const ws = workspace();
    const cfg = join(ws.dir, 'small.cfg');
    writeFileSync(cfg, `backup_dir=${fs.dir}\nstatus_log=${ws.statusLog}\nvm-export=web01\n`);
    const result = await runCli(sim, [cfg]);
    assert.equal(result.code, 2, result.stdout);
    assert.match(
      result.stdout,
      /ERROR not enough free space in .*: the export needs about 1\.0 MiB, \d+\.\d KiB are free/,
    );
  } finally {
    fs.unmount();
  }
});

const hostKinds: Array<[string, (sshd: boolean) => Promise<{ host: Host; stop(): Promise<void> }>]> = [
  ['local', async () => ({ host: createLocalHost(), stop: async () => undefined })],
  [
    'ssh',
    async () => {
      const sshd = await startSshd();
      const host = await createSshHost(sshd.hostOptions);
      return { host, stop: async () => (await host.close(), await sshd.stop()) };
    },
  ],
  [
    'ssh without sftp',
    async () => {
      const sshd = await startSshd({ sftp: false });
      const host = await createSshHost(sshd.hostOptions);
      return { host, stop: async () => (await host.close(), await sshd.stop()) };
    },
  ],
];

for (const [kind, setup] of hostKinds) {
  describe(`file errors: ${kind}`, () => {
    test('a read-only file system is EROFS, not ENOENT', async (t) => {
      const fs = tmpfs('1m');
      if (!fs) return t.skip('needs root to mount a tmpfs');
      mkdirSync(join(fs.dir, 'BACKUPS'));
      fs.run('-o', 'remount,ro', fs.dir);
      const { host, stop } = await setup(true);
      try {
        for (const [what, operation] of [
          ['mkdir', () => host.mkdir(join(fs.dir, 'BACKUPS', 'web01', 'backup-x'))],
          ['writeFile', () => host.writeFile(join(fs.dir, 'BACKUPS', '00VMbackupWriteTest'), '')],
          ['lock', () => host.lock(join(fs.dir, 'BACKUPS', '.vmbackup.lock'))],
        ] as const) {
          await assert.rejects(operation(), (error) => {
            assert.ok(isHostError(error, 'EROFS'), `${what}: ${String(error)}`);
            assert.match(error.message, /read-only file system/i);
            return true;
          });
        }
      } finally {
        await stop();
        fs.unmount();
      }
    });
  });
}

test('a dead ssh connection is reported as such, not as "no sftp subsystem"', async () => {
  const sshd = await startSshd();
  const host = await createSshHost(sshd.hostOptions);
  await sshd.stop();
  try {
    // The first call may still be the one that sees the channel end; the next one reconnects.
    await host.stat('/tmp').catch(() => undefined);
    await assert.rejects(host.stat('/tmp'), (error) => {
      assert.ok(isHostError(error, 'ETRANSPORT'), String(error));
      assert.doesNotMatch(error.message, /no sftp subsystem/);
      assert.match(error.message, /the ssh connection failed: .*(Connection refused|closed)/s);
      return true;
    });
  } finally {
    await host.close();
  }
});
