// What a failed run or login tells the user, checked against the real runner (dist/vmbackup.js)
// and the language server's LivePool talking to the XAPI simulator over HTTP: a wrong password
// is recognised as one (so the extension offers Re-enter Password), a refused connection is
// not called a login failure, and a pool URL without a scheme is refused with a sentence.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LivePool } from '../../server/src/livePool';
import type { PoolStatus } from '../../server/src/protocol';
import { startSimulator, type Simulator } from '../sim/index';
import {
  explainUnreachable,
  isAuthenticationFailure,
  judgePasswordCheck,
  poolUrlProblem,
} from '../../client/src/poolMessages';
import { buildRunnerInvocation } from '../../client/src/runnerInvocation';
import { RunnerProcess } from '../../client/src/runnerProcess';
import { describeExit, RunTracker } from '../../client/src/runReport';

const ROOT = join(import.meta.dirname, '..', '..');
let sim: Simulator;
let dir: string;
let config: string;

before(async () => {
  sim = await startSimulator({ fixture: join(ROOT, 'test', 'sim', 'fixtures', 'demo.json') });
  dir = mkdtempSync(join(tmpdir(), 'vmbackup-pool-messages-'));
  config = join(dir, 'weekly.cfg');
  writeFileSync(config, `max_backups=2\nbackup_dir=${dir}\nvm-export=PROD-db01\n`);
});

after(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs the bundled runner the way the extension does and renders its end like the extension. */
async function runPreview(poolUrl: string, password: string) {
  const invocation = buildRunnerInvocation({
    nodePath: process.execPath,
    platform: process.platform,
    runnerScript: join(ROOT, 'dist', 'vmbackup.js'),
    configPath: config,
    action: 'preview',
    settings: {
      poolUrl,
      certificateFingerprint: '',
      transport: 'local',
      sshTarget: '',
      xePath: sim.xePath,
      extraArgs: [],
      env: {},
    },
    password,
    baseEnv: process.env,
  });
  const tracker = new RunTracker();
  const exit = await new RunnerProcess(invocation, {
    event: (e) => tracker.apply(e),
    text: () => undefined,
    stderr: (l) => tracker.addStderr(l),
  }).exited;
  return { tracker, outcome: describeExit('preview', exit, tracker) };
}

/** A port on 127.0.0.1 where nothing listens (taken, then released). */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

// Simulator: session.login_with_password answers SESSION_AUTHENTICATION_FAILED for a wrong
// password, as xapi's ocaml/xapi/xapi_session.ml (login_with_password -> authenticate) does.
test("a wrong password is recognised in the runner's own error", async () => {
  const { tracker, outcome } = await runPreview(sim.url, 'wrong-password');
  assert.ok(tracker.errors.some(isAuthenticationFailure), tracker.errors.join('\n'));
  assert.equal(outcome.severity, 'error');
  assert.doesNotMatch(outcome.text, /\*\*|see above/);
  const { tracker: right } = await runPreview(sim.url, sim.password);
  assert.ok(!right.errors.some(isAuthenticationFailure), right.errors.join('\n'));
});

test('a refused connection is reported as unreachable, not as a login failure', async () => {
  const url = `http://127.0.0.1:${await closedPort()}`;
  const { tracker, outcome } = await runPreview(url, sim.password);
  assert.ok(!tracker.errors.some(isAuthenticationFailure), tracker.errors.join('\n'));
  assert.equal(
    outcome.text,
    `Preview: 1 error to fix: Cannot reach the pool at ${url}: the connection was refused ` +
      '(nothing listens at that address and port; is XAPI running there?)',
  );
  assert.doesNotMatch(outcome.text, /log in/);
});

test(
  "the language server's status after a wrong password is judged " + '"rejected", after the right one "accepted"',
  async () => {
    const statuses: PoolStatus[] = [];
    const pool = new LivePool({ onChange: (snapshot) => statuses.push(snapshot.status), log: () => undefined });
    try {
      await pool.configure({ url: sim.url, user: 'root', certificateFingerprint: '' });
      await pool.setPassword('wrong-password');
      const target = { url: sim.url, user: 'root' };
      const rejected = judgePasswordCheck(pool.snapshot().status, target);
      assert.deepEqual(rejected, {
        outcome: 'rejected',
        message: `The pool rejected the password for root at ${sim.url}.`,
      });
      await pool.setPassword(sim.password);
      const accepted = judgePasswordCheck(pool.snapshot().status, target);
      assert.equal(accepted.outcome, 'accepted');
      assert.match(accepted.message, /^Password accepted: Connected to .* \(\d+ VMs\)/);
    } finally {
      await pool.disconnect();
    }
  },
);

test('a password for a pool that does not answer is stored but reported as not checked', async () => {
  const url = `http://127.0.0.1:${await closedPort()}`;
  const pool = new LivePool({ onChange: () => undefined, log: () => undefined, connectTimeoutMs: 5000 });
  try {
    await pool.configure({ url, user: 'root', certificateFingerprint: '' });
    await pool.setPassword('whatever');
    const check = judgePasswordCheck(pool.snapshot().status, { url, user: 'root' });
    assert.equal(check.outcome, 'unchecked');
    assert.match(check.message, /not checked: Cannot reach the pool at .*connection was refused/);
  } finally {
    await pool.disconnect();
  }
});

test('without a pool URL the password cannot be checked now, and says so', () => {
  const check = judgePasswordCheck(
    { state: 'disconnected', message: 'No password yet', url: '' },
    { url: '', user: 'root' },
  );
  assert.equal(check.outcome, 'unchecked');
  assert.match(check.message, /root at the local host stored; the runner checks it on its next run/);
});

test('pool URL setting: a schemeless URL is refused with the fix, others accepted', () => {
  assert.equal(
    poolUrlProblem('xen1.example.org'),
    'vmbackup.pool.url "xen1.example.org" has no scheme: ' +
      'write https://xen1.example.org (or http:// for a pool without TLS).',
  );
  assert.match(poolUrlProblem('ftp://xen1') ?? '', /must start with https:\/\//);
  assert.match(poolUrlProblem('https://') ?? '', /is not a URL|names no host/);
  assert.equal(poolUrlProblem(''), undefined);
  assert.equal(poolUrlProblem('https://xen1.example.org'), undefined);
  assert.equal(poolUrlProblem('http://127.0.0.1:8080/'), undefined);
});

test('network errors are explained; other text is left alone', () => {
  assert.match(explainUnreachable('getaddrinfo ENOTFOUND xen9', 'https://xen9') ?? '', /host name was not found/);
  assert.equal(explainUnreachable('authentication failed (wrong password?)', 'https://xen1'), undefined);
});
