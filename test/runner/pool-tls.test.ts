// Certificate pinning for a whole pool: every host has its own self-signed certificate, and
// XenAPI moves to the master on HOST_IS_SLAVE or after a master change. --xapi-trust-file
// lists each host's fingerprint; a host missing from it is refused with the line to add.
// Over the local and the ssh transport.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startSimulator, type Fixture, type Simulator } from '../sim/index';
import { twoHostPool } from '../sim/two-hosts';
import {
  acceptedFingerprints,
  formatFingerprint,
  normaliseFingerprint,
  parseTrustFile,
  TrustFileError,
} from '../../runner/src/pool/tls';
import { ensureBundle, localTransport, runCli, sshTransport, tempDir, workspace, type Transport } from './helpers';

const FIXTURE: Fixture = twoHostPool('pool-tls', [
  { name: 'far', power: 'Halted', host: 'xs2', disks: [{ size: '1MiB', used: 1, sr: 'local-xs2' }] },
]);

let sim: Simulator;
const transports: Transport[] = [];
let both: string;
let memberOnly: string;
before(async () => {
  ensureBundle();
  sim = await startSimulator({ fixture: FIXTURE, https: true });
  transports.push(localTransport, await sshTransport(sim));
  const dir = tempDir('vmbackup-trust-');
  both = join(dir, 'pool.trust');
  memberOnly = join(dir, 'member.trust');
  writeFileSync(
    both,
    `# the test pool\n127.0.0.1 ${sim.hostFingerprints.xs1}\n\n` +
      `127.0.0.2  sha256:${sim.hostFingerprints.xs2}  # member\n`,
  );
  writeFileSync(memberOnly, `127.0.0.2 ${sim.hostFingerprints.xs2}\n`);
});
after(async () => {
  for (const t of transports) await t.stop();
  await sim.close();
});

const lines = (stdout: string) =>
  stdout.split('\n').map((l) => l.replace(/^\d{4}-\d{2}-\d{2}-\(\d{2}:\d{2}:\d{2}\) - /, ''));

test(
  'trust files: "<host> <sha256>" lines, comments, several ' + 'per host, "*"; a bad line names file, line and column',
  () => {
    const fp = 'AB'.repeat(32);
    const trust = parseTrustFile(
      `# c\n  Host.Example ${formatFingerprint(fp)}\nhost.example ${fp.toLowerCase()}\r\n` +
        `* SHA256 Fingerprint=${formatFingerprint(fp)}\n`,
      'f',
    );
    assert.deepEqual(trust.byHost.get('host.example'), [fp, fp]);
    assert.deepEqual(trust.byHost.get('*'), [fp]);
    assert.throws(
      () => parseTrustFile(`ok ${fp}\nbad AB:CD\n`, '/etc/p.trust'),
      (e: unknown) => {
        assert.ok(e instanceof TrustFileError);
        assert.equal(e.message, '/etc/p.trust:2:5: not a sha256 fingerprint (64 hex digits, e.g. AB:CD:...): AB:CD');
        return true;
      },
    );
    assert.throws(
      () => parseTrustFile(`\n  lonely\n`, 'x'),
      /^Error: x:2:3: expected "<host address or name> <sha256 fingerprint>"$|x:2:3: expected/,
    );
    assert.equal(normaliseFingerprint(sim.hostFingerprints.xs1!)?.length, 64);
  },
);

test('accepted per host: the host\'s own lines, "*" lines and --xapi-fingerprint; nothing else', () => {
  const [a, b, any, pin] = ['A1', 'B2', 'C3', 'D4'].map((x) => x.repeat(32));
  const trust = parseTrustFile(`10.0.0.11 ${a}\n[fd00::12] ${b}\n* ${any}\n`, 'pool.trust');
  assert.deepEqual(acceptedFingerprints({ fingerprint: undefined, pinnedBy: 'x', trust }, '10.0.0.11'), [a, any]);
  assert.deepEqual(acceptedFingerprints({ fingerprint: undefined, pinnedBy: 'x', trust }, '[FD00::12]'), [b, any]);
  assert.deepEqual(acceptedFingerprints({ fingerprint: pin, pinnedBy: 'x', trust }, '10.0.0.99'), [pin, any]);
  assert.deepEqual(acceptedFingerprints({ fingerprint: undefined, pinnedBy: 'x' }, '10.0.0.11'), []);
});

for (const name of ['local', 'ssh'] as const) {
  const transport = () => transports.find((t) => t.name === name)!;

  test(
    `--xapi at a member: HOST_IS_SLAVE moves XenAPI to the master, ` +
      `whose own certificate the trust file accepts (${name})`,
    async () => {
      const cfg = workspace().writeConfig(['vm-export=far']);
      const ok = await runCli({ ...sim, url: sim.hostUrls.xs2! }, [
        ...transport().args,
        '--xapi-trust-file',
        both,
        cfg,
        'preview',
      ]);
      assert.equal(ok.code, 0, ok.stdout + ok.stderr);
      assert.ok(lines(ok.stdout).includes('  vm-export: far'), ok.stdout);

      const refused = await runCli({ ...sim, url: sim.hostUrls.xs2! }, [
        ...transport().args,
        '--xapi-trust-file',
        memberOnly,
        cfg,
        'preview',
      ]);
      assert.equal(refused.code, 2);
      const error = lines(refused.stdout).find((l) => l.startsWith('ERROR cannot log in'));
      assert.ok(error, refused.stdout);
      assert.ok(
        error.includes(`pool host 127.0.0.1 is not in ${memberOnly}`) &&
          error.includes(`add the line "127.0.0.1 ${sim.hostFingerprints.xs1}"`),
        error,
      );
      assert.doesNotMatch(refused.stdout + refused.stderr, /\n\s+at .*:\d+:\d+\)?\n/, 'no stack trace');
    },
  );

  test(`after a master change the old master's URL still works with the pool's trust file (${name})`, async (t) => {
    sim.designateMaster('xs2');
    t.after(() => sim.designateMaster('xs1'));
    const cfg = workspace().writeConfig(['vm-export=far']);
    const ok = await runCli(sim, [...transport().args, '--xapi-trust-file', both, cfg, 'preview']);
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    // One pinned fingerprint (the old master's) is not enough any more.
    const single = await runCli(sim, [
      ...transport().args,
      '--xapi-fingerprint',
      sim.hostFingerprints.xs1!,
      cfg,
      'preview',
    ]);
    assert.equal(single.code, 2);
    assert.match(
      single.stdout,
      /does not match --xapi-fingerprint: expected sha256 [0-9A-F:]+, the pool presented sha256 /,
    );
  });

  test(
    `a backup with the trust file: XenAPI pinned per ` + `host, the export redirected to the member (${name})`,
    async () => {
      const ws = workspace();
      const result = await runCli(sim, [
        ...transport().args,
        '--xapi-trust-file',
        both,
        ws.writeConfig(['vm-export=far']),
      ]);
      assert.equal(result.code, 0, result.stdout + result.stderr);
      assert.match(readFileSync(ws.statusLog, 'utf8'), /,end,SUCCESS far,/);
    },
  );
}

test('a trust file that cannot be read or parsed stops the run before any connection, naming the file', async () => {
  const dir = tempDir('vmbackup-trust-bad-');
  const bad = join(dir, 'bad.trust');
  writeFileSync(bad, `127.0.0.1 ${sim.hostFingerprints.xs1}\n127.0.0.2 nope\n`);
  const cfg = workspace().writeConfig(['vm-export=far']);
  const parsed = await runCli(sim, ['--xapi-trust-file', bad, cfg, 'preview']);
  assert.equal(parsed.code, 2);
  assert.ok(
    lines(parsed.stdout).includes(
      `ERROR --xapi-trust-file ${bad}:2:11: not a sha256 fingerprint (64 hex digits, e.g. AB:CD:...): nope`,
    ),
    parsed.stdout,
  );
  const missing = await runCli(sim, ['--xapi-trust-file', join(dir, 'none'), cfg, 'preview']);
  assert.equal(missing.code, 2);
  assert.ok(
    lines(missing.stdout).includes(`ERROR --xapi-trust-file cannot read ${join(dir, 'none')}: ENOENT`),
    missing.stdout,
  );
  const insecure = await runCli(sim, ['--xapi-insecure', '--xapi-trust-file', bad, cfg, 'preview']);
  assert.equal(insecure.code, 2);
  assert.match(insecure.stderr, /--xapi-insecure cannot be combined with --xapi-trust-file/);
});
