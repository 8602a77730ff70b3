// What the user sees of a run: log levels, the progress text and the closing summary.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RunEvent } from '../../runner/src/backup/events';
import {
  describeExit,
  formatBytes,
  formatDuration,
  logLineFor,
  plainMessage,
  RunTracker,
} from '../../client/src/runReport';

const t = '2026-11-21T10:00:00.000Z';
const events: RunEvent[] = [
  {
    time: t,
    type: 'run-start',
    mode: 'backup',
    config: 'weekly.cfg',
    host: 'local',
    version: '0.1.0',
    message: 'VmBackup running on xcp1',
  },
  {
    time: t,
    type: 'vm-start',
    vm: 'web01',
    kind: 'vm-export',
    index: 1,
    total: 2,
    message: '*** vm-export begin web01',
  },
  { time: t, type: 'step', vm: 'web01', step: 'export', message: 'exporting web01' },
  { time: t, type: 'progress', vm: 'web01', bytes: 3 * 1024 ** 3, totalBytes: 10 * 1024 ** 3, message: '' },
  {
    time: t,
    type: 'vm-end',
    vm: 'web01',
    kind: 'vm-export',
    outcome: 'success',
    bytes: 1,
    elapsedMs: 1000,
    message: '*** vm-export end web01 - success',
  },
  {
    time: t,
    type: 'vm-start',
    vm: 'db01',
    kind: 'vdi-export',
    index: 2,
    total: 2,
    message: '*** vdi-export begin db01',
  },
  { time: t, type: 'error', vm: 'db01', message: 'VDI-EXPORT-FAIL db01' },
  {
    time: t,
    type: 'vm-end',
    vm: 'db01',
    kind: 'vdi-export',
    outcome: 'error',
    bytes: 0,
    elapsedMs: 1000,
    message: '*** vdi-export end db01 - error',
  },
  {
    time: t,
    type: 'run-end',
    outcome: 'error',
    summary: { success: 1, warning: 0, error: 1 },
    exitCode: 2,
    elapsedMs: 83_000,
    message: 'VmBackup ended - **ERRORS DETECTED** - time: 1 min',
  },
];

test('log levels follow the event type and outcome; progress is not logged', () => {
  assert.deepEqual(
    events.map((e) => logLineFor(e)?.level ?? '-'),
    ['info', 'info', 'info', '-', 'info', 'info', 'error', 'error', 'error'],
  );
  assert.equal(logLineFor({ time: t, type: 'warning', message: 'vm not found: exclude=x' })?.level, 'warn');
  assert.equal(
    logLineFor({ time: t, type: 'error', location: 'weekly.cfg:3:11', message: 'invalid regex' })?.text,
    'weekly.cfg:3:11: invalid regex',
  );
});

test('the tracker reports the current VM, step and bytes, and 100% over all VMs', () => {
  const tracker = new RunTracker();
  let percent = 0;
  const messages: string[] = [];
  for (const event of events) {
    percent += tracker.apply(event);
    messages.push(tracker.message);
  }
  assert.equal(messages[3], 'web01 (1/2) · export · 3.0 GiB of 10 GiB');
  assert.equal(messages[5], 'db01 (2/2)');
  assert.equal(Math.round(percent), 100);
  assert.equal(tracker.completedVms, 2);
  assert.deepEqual(tracker.errors, ['VDI-EXPORT-FAIL db01']);
});

test('backup summary names the counts and the duration', () => {
  const tracker = new RunTracker();
  for (const e of events) tracker.apply(e);
  const runEnd = events.at(-1) as Extract<RunEvent, { type: 'run-end' }>;
  const outcome = describeExit('backup', { code: 2, signal: null, runEnd, stopped: false }, tracker);
  assert.deepEqual(outcome, {
    severity: 'error',
    text: 'Backup: 1 succeeded, 0 with warnings, 1 failed (1 min 23 s); failed: db01',
  });
});

test('a runner that dies without run-end is an error naming the exit', () => {
  const tracker = new RunTracker();
  tracker.apply({ time: t, type: 'error', message: 'cannot reach https://xen1' });
  assert.deepEqual(describeExit('preview', { code: 2, signal: null, stopped: false }, tracker), {
    severity: 'error',
    text: 'Preview: the runner exited with code 2: cannot reach https://xen1',
  });
  assert.match(
    describeExit('backup', { code: null, signal: 'SIGKILL', stopped: false }, new RunTracker()).text,
    /ended by SIGKILL/,
  );
  assert.match(
    describeExit(
      'backup',
      { code: null, signal: null, spawnError: new Error('ENOENT'), stopped: false },
      new RunTracker(),
    ).text,
    /could not start the runner: ENOENT/,
  );
});

test("a successful preview shows the runner's own closing line; a stopped run says so", () => {
  const end: Extract<RunEvent, { type: 'run-end' }> = {
    time: t,
    type: 'run-end',
    outcome: 'success',
    summary: { success: 0, warning: 0, error: 0 },
    exitCode: 0,
    elapsedMs: 10,
    message: 'SUCCESS preview of parameters',
  };
  assert.deepEqual(describeExit('preview', { code: 0, signal: null, runEnd: end, stopped: false }, new RunTracker()), {
    severity: 'info',
    text: 'Preview: SUCCESS preview of parameters',
  });
  assert.match(
    describeExit(
      'backup',
      { code: 2, signal: null, runEnd: { ...end, outcome: 'error' }, stopped: true },
      new RunTracker(),
    ).text,
    /^Backup stopped by you:/,
  );
});

test('a stopped backup names the VM it interrupted and the VMs it never started, not "1 failed"', () => {
  const tracker = new RunTracker(['web01', 'db01', 'mail01', 'dns01']);
  tracker.apply(events[1]!);
  tracker.apply(events[4]!); // web01 done
  tracker.apply(events[5]!); // db01 started
  tracker.stopRequested();
  tracker.apply({ time: t, type: 'error', vm: 'db01', message: 'ERROR vdi-export of db01 interrupted: aborted' });
  tracker.apply({ ...(events[7] as Extract<RunEvent, { type: 'vm-end' }>) });
  const runEnd: Extract<RunEvent, { type: 'run-end' }> = {
    ...(events[8] as Extract<RunEvent, { type: 'run-end' }>),
    elapsedMs: 4000,
  };
  const outcome = describeExit('backup', { code: 2, signal: null, runEnd, stopped: true }, tracker);
  assert.deepEqual(outcome, {
    severity: 'warning',
    text: 'Backup stopped by you: 1 succeeded; interrupted, nothing kept: db01; not started: mail01, dns01 (4 s)',
  });
  assert.doesNotMatch(outcome.text, /failed/);
});

test('without a plan, a stopped backup still counts the VMs it never started', () => {
  const tracker = new RunTracker();
  tracker.apply({ ...(events[1] as Extract<RunEvent, { type: 'vm-start' }>), total: 5 });
  tracker.stopRequested();
  const runEnd: Extract<RunEvent, { type: 'run-end' }> = {
    time: t,
    type: 'run-end',
    outcome: 'error',
    summary: { success: 0, warning: 0, error: 1 },
    exitCode: 2,
    elapsedMs: 1000,
    message: 'VmBackup ended - **ERRORS DETECTED** - S:0 W:0 E:1',
  };
  assert.equal(
    describeExit('backup', { code: 2, signal: null, runEnd, stopped: true }, tracker).text,
    'Backup stopped by you: 0 succeeded; interrupted, nothing kept: web01; 4 VMs not started (1 s)',
  );
});

test('toasts carry no **emphasis** and no "(see above)"', () => {
  assert.equal(
    plainMessage('VmBackup preview ended - **ERRORS DETECTED** - E:2 W:0'),
    'VmBackup preview ended - ERRORS DETECTED - E:2 W:0',
  );
  assert.equal(plainMessage('***ERROR - invalid regex: vm-export=a**'), 'invalid regex: vm-export=a**');
  assert.equal(
    plainMessage('SUCCESS preview of parameters - WARNINGS found (see above)'),
    'SUCCESS preview of parameters - WARNINGS found',
  );
});

test('byte and duration formatting', () => {
  assert.equal(formatBytes(512), '512 B');
  assert.equal(formatBytes(1536), '1.5 KiB');
  assert.equal(formatBytes(200 * 1024 ** 2), '200 MiB');
  assert.equal(formatDuration(59_400), '59 s');
  assert.equal(formatDuration(125_000), '2 min 5 s');
});

test("a failed xe step: the error names the command (the log line), the summary adds xe's own words", () => {
  const tracker = new RunTracker();
  const failed: RunEvent = {
    time: t,
    type: 'error',
    vm: 'db01',
    message: 'ERROR /opt/xensource/bin/xe vm-export uuid=u filename="/b/db01.xva"',
    detail: 'Error code: VDI_IO_ERROR | Error parameters: Device I/O errors',
  };
  tracker.apply(failed);
  assert.equal(logLineFor(failed)?.text, 'ERROR /opt/xensource/bin/xe vm-export uuid=u filename="/b/db01.xva"');
  assert.deepEqual(tracker.errors, [
    'ERROR /opt/xensource/bin/xe vm-export uuid=u filename="/b/db01.xva" ' +
      '(Error code: VDI_IO_ERROR | Error parameters: Device I/O errors)',
  ]);
});

test('a preview with six errors lists them, one per config line, not just the last one', async () => {
  // The real runner's events for a config with six regex errors and a missing VM (recorded
  // from `dist/vmbackup.js --json … preview` against the demo pool).
  const lines = [3, 4, 6, 7, 8, 9];
  const tracker = new RunTracker();
  for (const line of lines) {
    tracker.apply({
      time: t,
      type: 'error',
      location: `/tmp/c2.cfg:${line}:13`,
      message:
        `/tmp/c2.cfg:${line}:13: error VMB030 Invalid regex: multiple repeat at position 2. ` +
        'The original logs "***ERROR - invalid regex: vm-export=a**" and the run fails.',
    });
  }
  for (const line of lines)
    tracker.apply({
      time: t,
      type: 'error',
      location: `/tmp/c2.cfg:${line}:11`,
      message: '***ERROR - invalid regex: vm-export=a**',
    });
  tracker.apply({
    time: t,
    type: 'warning',
    location: '/tmp/c2.cfg:5:11',
    message: '***WARNING - vm not found: vm-export=NOPE',
  });
  tracker.apply({ time: t, type: 'error', message: 'ERROR no VMs loaded' });
  tracker.apply({ time: t, type: 'error', message: 'ERROR regex errors found (see above)' });
  const runEnd: Extract<RunEvent, { type: 'run-end' }> = {
    time: t,
    type: 'run-end',
    outcome: 'error',
    summary: { success: 0, warning: 1, error: 13 },
    exitCode: 2,
    elapsedMs: 0,
    message: 'VmBackup preview ended - **ERRORS DETECTED** - E:13 W:1 (11 VM records in the pool)',
  };
  const outcome = describeExit('preview', { code: 2, signal: null, runEnd, stopped: false }, tracker);
  assert.equal(
    outcome.text,
    'Preview: 7 errors to fix: line 3: Invalid regex: multiple repeat at position 2; ' +
      'line 4: Invalid regex: multiple repeat at position 2; ' +
      'line 6: Invalid regex: multiple repeat at position 2; and 4 more (see the log)',
  );
  assert.doesNotMatch(outcome.text, /\*|see above/);
});
