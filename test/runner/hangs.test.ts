// Runs that used to hang (issue 11, item 5): a selection regex with catastrophic backtracking,
// and a XenAPI that accepts connections and never answers. Each must end with a clear error,
// a status-log record and exit code 2; SIGTERM must be honoured while they would spin.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { readFileSync } from 'node:fs';
import type { Simulator } from '../sim/index';
import { ensureBundle, startCli, runCli, startPool, workspace } from './helpers';

const LONG_NAME = 'a'.repeat(40) + '!';
let sim: Simulator;
before(async () => {
  ensureBundle();
  sim = await startPool({
    name: 'hangs',
    vms: [
      { name: 'web01', disks: [{ size: '1MiB' }] },
      { name: LONG_NAME, disks: [{ size: '1MiB' }] },
    ],
  });
});
after(async () => sim.close());

const RUN_ERROR_RECORD = /,vmbackup\.py,[^,]*,begin\n.*,vmbackup\.py,[^,]*,end,ERROR,S:0 W:0 E:1\n$/;

test('a regex over its time budget fails its line with VMB034 text, a status-log record and exit 2', async () => {
  const ws = workspace();
  const cfg = ws.writeConfig(['vm-export=web01', 'vm-export=(a+)+$']);
  const result = await runCli(sim, [cfg], { VMBACKUP_REGEX_BUDGET_MS: '100' });
  assert.equal(result.code, 2, result.stdout + result.stderr);
  assert.match(
    result.stdout,
    / - \*\*\*ERROR - regex too expensive \(stopped after the time budget\): vm-export=\(a\+\)\+\$\n/,
  );
  assert.match(result.stdout, /ERROR regex too expensive \(see above\): nothing was backed up/);
  assert.doesNotMatch(result.stdout + result.stderr, /\n\s+at /, 'no stack trace');
  assert.match(readFileSync(ws.statusLog, 'utf8'), RUN_ERROR_RECORD);
});

test('--regex-budget-ms wins over the environment; preview reports the line without a stack trace', async () => {
  const ws = workspace();
  const cfg = ws.writeConfig(['vm-export=([A-Za-z0-9]+-?)+$']);
  const result = await runCli(sim, ['--regex-budget-ms', '100', cfg, 'preview'], {
    VMBACKUP_REGEX_BUDGET_MS: '600000',
  });
  assert.equal(result.code, 2, result.stdout + result.stderr);
  assert.match(result.stdout, /regex too expensive/);
  assert.doesNotMatch(result.stdout + result.stderr, /\n\s+at /, 'no stack trace');
});

test('SIGTERM while a hostile regex spins: stopped at once, status-log record, exit 2', async () => {
  const ws = workspace();
  const cfg = ws.writeConfig(['vm-export=(a|a)+$']);
  // A budget no test outlives: only the signal can end this run.
  const run = startCli(sim, [cfg], { VMBACKUP_REGEX_BUDGET_MS: '600000' });
  await run.waitFor(/matching the regex of line 3 against the VM names is slow/);
  run.child.kill('SIGTERM');
  const result = await run.done;
  assert.equal(result.code, 2, result.stdout + result.stderr);
  assert.match(result.stdout, /ERROR stopped before the backup: SIGTERM received/);
  assert.match(readFileSync(ws.statusLog, 'utf8'), RUN_ERROR_RECORD);
});

/** A TCP server on 127.0.0.1 that accepts every connection and never sends a byte. */
async function silentServer(): Promise<{ url: string; accepted: Promise<void>; close(): Promise<void> }> {
  const sockets: Socket[] = [];
  let onAccept!: () => void;
  const accepted = new Promise<void>((resolve) => (onAccept = resolve));
  const server: Server = createServer((socket) => {
    sockets.push(socket);
    onAccept();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/`,
    accepted,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** The simulator's xe, with XenAPI pointed at `url` instead. */
function pointedAt(url: string): Simulator {
  return { xePath: sim.xePath, url, password: sim.password } as Simulator;
}

test('a XenAPI that never answers: the run ends after the silence budget with a clear error', async () => {
  const silent = await silentServer();
  try {
    const ws = workspace();
    const cfg = ws.writeConfig(['vm-export=web01']);
    // The flag wins over the environment.
    const result = await runCli(pointedAt(silent.url), ['--silence-timeout', '1', cfg], {
      VMBACKUP_SILENCE_TIMEOUT: '3600',
    });
    assert.equal(result.code, 2, result.stdout + result.stderr);
    assert.match(
      result.stdout,
      new RegExp(
        /ERROR cannot log in to XenAPI at http:\/\/127\.0\.0\.1:\d+\/: /.source +
          /no answer within 1 s \(the silence budget, --silence-timeout\)/.source,
      ),
    );
    assert.doesNotMatch(result.stdout + result.stderr, /\n\s+at /, 'no stack trace');
    assert.match(readFileSync(ws.statusLog, 'utf8'), RUN_ERROR_RECORD);
  } finally {
    await silent.close();
  }
});

test('SIGTERM while XenAPI stays silent is honoured at once (first signal), with a status-log record', async () => {
  const silent = await silentServer();
  try {
    const ws = workspace();
    const cfg = ws.writeConfig(['vm-export=web01']);
    // A budget no test outlives: only the signal can end this run.
    const run = startCli(pointedAt(silent.url), [cfg], { VMBACKUP_SILENCE_TIMEOUT: '3600' });
    await silent.accepted;
    run.child.kill('SIGTERM');
    const result = await run.done;
    assert.equal(result.code, 2, result.stdout + result.stderr);
    assert.match(result.stdout, /ERROR stopped before the backup: SIGTERM received/);
    assert.match(readFileSync(ws.statusLog, 'utf8'), RUN_ERROR_RECORD);
  } finally {
    await silent.close();
  }
});
