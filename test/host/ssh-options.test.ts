// The silence budget over ssh (docs/cli.md "Time budgets"): OpenSSH's keep-alive probes end a
// connection whose server stays silent for the budget; connecting waits at most 20 s.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { controlDirectoryBase, sshBaseArgs } from '../../runner/src/host/ssh-options';

function option(args: string[], name: string): string | undefined {
  for (let i = 0; i < args.length - 1; i++)
    if (args[i] === '-o' && args[i + 1]!.startsWith(`${name}=`)) return args[i + 1]!.slice(name.length + 1);
  return undefined;
}

test('keep-alive and connect timeout follow the silence budget', () => {
  const cases: Array<[number | undefined, string, string]> = [
    [undefined, '15', '20'],
    [120_000, '30', '20'],
    [8_000, '2', '8'],
    [1_000, '1', '1'],
  ];
  for (const [silenceMs, interval, connect] of cases) {
    const args = sshBaseArgs(
      { target: 'root@h', ...(silenceMs === undefined ? {} : { silenceMs }) },
      { host: 'h', user: 'root' },
      '/tmp/cp',
    );
    assert.equal(option(args, 'ServerAliveInterval'), interval, String(silenceMs));
    assert.equal(option(args, 'ServerAliveCountMax'), '4');
    assert.equal(option(args, 'ConnectTimeout'), connect, String(silenceMs));
  }
});

test('the control socket fits a Unix socket address: a long TMPDIR (macOS, custom) falls back to /tmp', () => {
  // macOS: TMPDIR=/var/folders/<2>/<30>/T — the socket path stays well within 104 bytes.
  const macTemp = '/var/folders/zz/zyxvpxvq6csfxvn_n0000000000000/T';
  assert.equal(controlDirectoryBase(macTemp), macTemp);
  assert.equal(controlDirectoryBase('/tmp'), '/tmp');
  const long = `/Users/someone/Library/Caches/${'deeply-nested-folder/'.repeat(3)}tmp`;
  assert.equal(controlDirectoryBase(long), '/tmp');
  // At the limit: base + "/vmbackup-ssh-XXXXXX/mux" (24) + ssh's 17 = 103 bytes is the most.
  const fits = `/${'a'.repeat(103 - 24 - 17 - 1)}`;
  assert.equal(controlDirectoryBase(fits), fits);
  assert.equal(controlDirectoryBase(`${fits}b`), '/tmp');
});
