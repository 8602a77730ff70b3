// Pure parts of the snapshot lifecycle: which RESTORE_/SNAP_ snapshots are leftovers that may be
// removed (snapshots.ts), and the back-off on OTHER_OPERATION_IN_PROGRESS (busy.ts) with an
// injected clock and sleep.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { busyOperation, retryWhileBusy, VmBusyError, type BusyRetry } from '../../runner/src/backup/busy';
import { judgeLeftover, LEASE_KEY, OWNER_KEY, ownerValue, type RunIdentity } from '../../runner/src/backup/snapshots';
import { XeError } from '../../runner/src/backup/xe';

const me: RunIdentity = { hostname: 'backup01', pid: 100, runId: 'run-me' };
const now = new Date('2026-12-01T12:00:00Z');
const judge = (isAlive: (pid: number) => boolean = () => false) => ({ me, now, isAlive });

function snapshot(otherConfig: Record<string, string> = {}, fields: Record<string, unknown> = {}) {
  return { uuid: 'u', snapshot_of: 'OpaqueRef:vm', current_operations: {}, other_config: otherConfig, ...fields };
}

test('a snapshot of another VM is never a leftover, whatever its name', () => {
  assert.deepEqual(judgeLeftover(snapshot({}, { snapshot_of: 'OpaqueRef:other' }), 'OpaqueRef:vm', judge()), {
    remove: false,
    reason: 'it is not a snapshot of this VM (snapshot_of OpaqueRef:other)',
  });
});

test('an untagged snapshot of this VM (VmBackup.py, or killed before tagging) is a leftover', () => {
  assert.deepEqual(judgeLeftover(snapshot(), 'OpaqueRef:vm', judge()), { remove: true });
});

test('a snapshot with an operation in progress stays', () => {
  const verdict = judgeLeftover(
    snapshot({}, { current_operations: { 'OpaqueRef:t': 'export' } }),
    'OpaqueRef:vm',
    judge(),
  );
  assert.deepEqual(verdict, { remove: false, reason: 'an operation is in progress on it (export)' });
});

test('owner on this machine: alive keeps it, gone makes it a leftover', () => {
  const other = ownerValue({ hostname: 'backup01', pid: 4242, runId: 'run-other' });
  const alive = judgeLeftover(
    snapshot({ [OWNER_KEY]: other }),
    'OpaqueRef:vm',
    judge((pid) => pid === 4242),
  );
  assert.equal(alive.remove, false);
  assert.match((alive as { reason: string }).reason, /vmbackup run 4242 on this machine, still running/);
  assert.deepEqual(
    judgeLeftover(
      snapshot({ [OWNER_KEY]: other }),
      'OpaqueRef:vm',
      judge(() => false),
    ),
    { remove: true },
  );
});

test('owner on another machine: kept while its lease runs, a leftover once it ended', () => {
  const other = ownerValue({ hostname: 'laptop', pid: 7, runId: 'run-other' });
  const fresh = judgeLeftover(
    snapshot({ [OWNER_KEY]: other, [LEASE_KEY]: '2026-12-01T12:05:00.000Z' }),
    'OpaqueRef:vm',
    judge(() => true),
  );
  assert.deepEqual(fresh, {
    remove: false,
    reason: 'it belongs to a vmbackup run on laptop (lease until 2026-12-01T12:05:00.000Z)',
  });
  const expired = judgeLeftover(
    snapshot({ [OWNER_KEY]: other, [LEASE_KEY]: '2026-12-01T11:55:00.000Z' }),
    'OpaqueRef:vm',
    judge(() => true),
  );
  assert.deepEqual(expired, { remove: true });
  assert.deepEqual(
    judgeLeftover(
      snapshot({ [OWNER_KEY]: other }),
      'OpaqueRef:vm',
      judge(() => true),
    ),
    { remove: true },
    'no lease',
  );
});

const busyError = (op: string) =>
  new XeError(['vm-snapshot'], {
    exitCode: 1,
    stdout: '',
    stderr:
      `Another operation involving the object is currently in progress\nclass: VM\nobject: u (web01)\n` +
      `operation_type: ${op}\noperation_ref: t\n`,
  });

function fakeClock(budgetMs: number): BusyRetry & { slept: number[]; logs: string[] } {
  let t = 0;
  const slept: number[] = [];
  const logs: string[] = [];
  return {
    budgetMs,
    now: () => t,
    sleep: async (ms) => {
      slept.push(ms);
      t += ms;
    },
    log: (m) => logs.push(m),
    slept,
    logs,
  };
}

test('busyOperation reads the other operation from xe, and nothing else is "busy"', () => {
  assert.equal(busyOperation(busyError('migrate_send')), 'migrate_send');
  assert.equal(
    busyOperation(
      new XeError(['vm-snapshot'], { exitCode: 1, stdout: '', stderr: 'Error code: SR_BACKEND_FAILURE_44\n' }),
    ),
    undefined,
  );
  assert.equal(busyOperation(new Error('OTHER_OPERATION_IN_PROGRESS')), undefined, 'only xe failures');
});

test('retryWhileBusy backs off 1, 2, 4 ... s and succeeds when the VM is free', async () => {
  const clock = fakeClock(60_000);
  let calls = 0;
  const result = await retryWhileBusy('snapshot of web01', clock, async () => {
    calls++;
    if (calls < 4) throw busyError('export');
    return 'done';
  });
  assert.equal(result, 'done');
  assert.deepEqual(clock.slept, [1000, 2000, 4000]);
  assert.equal(
    clock.logs[0],
    'snapshot of web01: busy, another operation (export) is in progress on it; retrying in 1 s',
  );
});

test('retryWhileBusy gives up within the budget, naming the operation; other errors pass through at once', async () => {
  const clock = fakeClock(10_000);
  await assert.rejects(
    retryWhileBusy('export of web01', clock, async () => {
      throw busyError('migrate_send');
    }),
    (error) => error instanceof VmBusyError && /gave up after 7 s of retries \(--busy-wait 10 s\)/.test(error.message),
  );
  assert.deepEqual(clock.slept, [1000, 2000, 4000]);
  const plain = fakeClock(10_000);
  await assert.rejects(
    retryWhileBusy('x', plain, async () => Promise.reject(new Error('boom'))),
    /boom/,
  );
  assert.deepEqual(plain.slept, []);
});
