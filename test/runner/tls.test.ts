// The runner against a pool with a self-signed certificate (the simulator over https): the
// certificate is verified by default, accepted when its sha256 fingerprint is pinned
// (--xapi-fingerprint or VMBACKUP_XAPI_FINGERPRINT), refused with both fingerprints named
// when the pin is wrong, and accepted blindly only with --xapi-insecure.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Simulator } from '../sim/index';
import { startSimulator } from '../sim/index';
import { formatFingerprint, normaliseFingerprint } from '../../runner/src/pool/tls';
import { ensureBundle, runCli, workspace } from './helpers';

let pool: Simulator;
let cfg: string;
const WRONG = 'AB'.repeat(32);

before(async () => {
  ensureBundle();
  pool = await startSimulator({
    fixture: { name: 'tls', vms: [{ name: 'web01', disks: [{ size: '1MiB' }] }] },
    https: true,
  });
  cfg = workspace().writeConfig(['vm-export=web01']);
});
after(async () => pool.close());

/** The log lines without their timestamps. */
function lines(stdout: string): string[] {
  return stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.replace(/^\d{4}-\d{2}-\d{2}-\(\d{2}:\d{2}:\d{2}\) - /, ''));
}

function assertOneCleanLine(output: string): void {
  assert.doesNotMatch(output, /\n\s+at .*:\d+:\d+\)?\n/, 'no stack trace');
}

test('fingerprints are accepted as AA:BB:.., lowercase hex, with a sha256: prefix, or as openssl prints them', () => {
  const hex = 'A1B2C3D4E5F60718293A4B5C6D7E8F90'.repeat(2);
  const colons = formatFingerprint(hex);
  assert.equal(colons.split(':').length, 32);
  for (const text of [
    hex,
    hex.toLowerCase(),
    colons,
    colons.toLowerCase(),
    `sha256:${colons}`,
    `SHA256 Fingerprint=${colons}`,
    ` ${hex}\n`,
  ]) {
    assert.equal(normaliseFingerprint(text), hex, text);
  }
  for (const bad of ['', 'AB:CD', hex.slice(2), `${hex}00`, hex.replace('A', 'G'), `sha1:${colons}`]) {
    assert.equal(normaliseFingerprint(bad), undefined, bad);
  }
});

test('no pin: the self-signed certificate is refused (verification on), showing the fingerprint to check', async () => {
  const refused = await runCli(pool, [cfg, 'preview']);
  assert.equal(refused.code, 2);
  const error = lines(refused.stdout).find((l) => l.startsWith('ERROR '));
  assert.ok(error, refused.stdout);
  assert.match(
    error,
    /^ERROR cannot log in to XenAPI at https:\/\/127\.0\.0\.1:\d+\/?: the pool's TLS certificate is not trusted \(/,
  );
  assert.ok(error.includes(`--xapi-fingerprint: ${pool.certificateFingerprint!}`), error);
  assertOneCleanLine(refused.stdout + refused.stderr);
});

test('the right fingerprint (--xapi-fingerprint, any format) connects and previews', async () => {
  for (const given of [
    pool.certificateFingerprint!,
    pool.certificateFingerprint!.replace(/:/g, '').toLowerCase(),
    `sha256:${pool.certificateFingerprint!}`,
  ]) {
    const result = await runCli(pool, ['--xapi-fingerprint', given, cfg, 'preview']);
    assert.equal(result.code, 0, given + '\n' + result.stdout + result.stderr);
    assert.ok(lines(result.stdout).includes('  vm-export: web01'), result.stdout);
  }
});

test('VMBACKUP_XAPI_FINGERPRINT pins the certificate for cron; the flag wins over it', async () => {
  const fromEnv = await runCli(pool, [cfg, 'preview'], { VMBACKUP_XAPI_FINGERPRINT: pool.certificateFingerprint! });
  assert.equal(fromEnv.code, 0, fromEnv.stdout + fromEnv.stderr);
  const flagWins = await runCli(pool, ['--xapi-fingerprint', WRONG, cfg, 'preview'], {
    VMBACKUP_XAPI_FINGERPRINT: pool.certificateFingerprint!,
  });
  assert.equal(flagWins.code, 2, flagWins.stdout);
});

test('a wrong fingerprint is refused: one line naming the expected and the presented fingerprint, exit 2', async () => {
  const result = await runCli(pool, ['--json', '--xapi-fingerprint', WRONG, cfg, 'preview']);
  assert.equal(result.code, 2);
  const events = result.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { type: string; message: string; exitCode?: number });
  const errors = events.filter((e) => e.type === 'error');
  assert.equal(errors.length, 1, result.stdout);
  assert.equal(
    errors[0]!.message.replace(/at https:\/\/127\.0\.0\.1:\d+\/?:/, 'at URL:'),
    `ERROR cannot log in to XenAPI at URL: the pool's TLS certificate does not match --xapi-fingerprint: ` +
      `expected sha256 ${formatFingerprint(WRONG)}, the pool presented sha256 ${pool.certificateFingerprint!}`,
  );
  assert.equal(events.at(-1)!.type, 'run-end');
  assert.equal(events.at(-1)!.exitCode, 2);
  assertOneCleanLine(result.stdout + result.stderr);
  // Nothing was read from the pool: the password never went to a host with the wrong certificate.
  assert.ok(!events.some((e) => e.message.includes('vm-export: web01')));
});

test('a malformed fingerprint or one given with --xapi-insecure is a bad argument, before any connection', async () => {
  const malformed = await runCli(pool, ['--xapi-fingerprint', 'AB:CD', cfg, 'preview']);
  assert.equal(malformed.code, 2);
  assert.match(malformed.stderr, /^vmbackup: --xapi-fingerprint=AB:CD: expected the certificate's sha256 fingerprint/);
  const fromEnv = await runCli(pool, [cfg, 'preview'], { VMBACKUP_XAPI_FINGERPRINT: 'nonsense' });
  assert.equal(fromEnv.code, 2);
  assert.match(fromEnv.stderr, /^vmbackup: VMBACKUP_XAPI_FINGERPRINT=nonsense: /);
  const both = await runCli(pool, [
    '--xapi-insecure',
    '--xapi-fingerprint',
    pool.certificateFingerprint!,
    cfg,
    'preview',
  ]);
  assert.equal(both.code, 2);
  assert.match(both.stderr, /--xapi-insecure cannot be combined with --xapi-fingerprint/);
  for (const r of [malformed, fromEnv, both]) {
    assert.equal(r.stdout, '');
    assertOneCleanLine(r.stderr);
  }
});

test('--xapi-insecure still accepts any certificate (pinning is the safe choice)', async () => {
  const accepted = await runCli(pool, ['--xapi-insecure', cfg, 'preview']);
  assert.equal(accepted.code, 0, accepted.stdout + accepted.stderr);
});

test('a pin with an http XenAPI URL has nothing to check: a note says so, the run goes on', async () => {
  const plain = await startSimulator({
    fixture: { name: 'plain', vms: [{ name: 'web01', disks: [{ size: '1MiB' }] }] },
  });
  try {
    const result = await runCli(plain, ['--xapi-fingerprint', WRONG, cfg, 'preview']);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.ok(
      lines(result.stdout).some((l) =>
        new RegExp(
          /^note: the pinned certificate fingerprint is not used: /.source +
            /XenAPI at http:\/\/127\.0\.0\.1:\d+\/? is not https$/.source,
        ).test(l),
      ),
      result.stdout,
    );
  } finally {
    await plain.close();
  }
});
