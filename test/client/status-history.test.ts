// The status log read back as nights (runner/src/backup/statusHistory.ts), from records the
// runner's own StatusLog writes and from the original's documented examples.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalHost } from '../../runner/src/host/local';
import { elapseSize, StatusLog } from '../../runner/src/backup/statusLog';
import { isFailingNight, parseStatusHistory } from 'vmbackup-runner/backup/statusHistory';

test('records written by the runner read back as nights: start, duration, size, S/W/E, VM records', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'status-history-'));
  try {
    const file = join(dir, 'status.log');
    let clock = new Date(2026, 0, 29, 23, 0, 0);
    const log = new StatusLog(
      createLocalHost(),
      file,
      'xs1',
      () => clock,
      (m) => assert.fail(m),
    );
    const at = (h: number, m: number, s = 0) => (clock = new Date(2026, 0, 29, h, m, s));
    await log.runBegin();
    at(23, 0, 5);
    await log.vmBegin('vm-export', 'web, "01"\n$(x)');
    at(23, 6, 30);
    await log.vmEnd('vm-export', `SUCCESS web, "01"\n$(x),${elapseSize(6.5 * 60000, 3 * 1024 ** 3)}`);
    await log.vmBegin('vdi-export', 'db');
    at(23, 7, 0);
    await log.vmEnd('vdi-export', 'VDI-EXPORT-FAIL db');
    at(23, 7, 1);
    await log.runEnd('ERROR', 'S:1 W:0 E:1');
    clock = new Date(2026, 0, 30, 23, 0, 0);
    await log.runBegin();
    await log.vmEnd('vm-export', `WARNING web,${elapseSize(60000, 5 * 1024 ** 3)}`);
    clock = new Date(2026, 0, 30, 23, 2, 0);
    await log.runEnd('WARNING', 'S:0 W:1 E:0');
    await log.flush();

    const nights = parseStatusHistory(readFileSync(file, 'utf8'));
    assert.equal(nights.length, 2);
    const [first, second] = nights;
    assert.deepEqual(
      { ...first, vms: undefined },
      {
        firstLine: 0,
        lastLine: 5,
        host: 'xs1',
        started: '2026/01/29 23:00:00',
        durationSeconds: 421,
        sizeGiB: 3,
        status: 'ERROR',
        success: 1,
        warning: 0,
        error: 1,
        vms: undefined,
      },
    );
    // The hostile name keeps its comma and comes back with the runner's escaping.
    assert.deepEqual(first?.vms, [
      { line: 2, kind: 'vm-export', word: 'SUCCESS', vm: 'web, "01"\\n$(x)', elapseMinutes: 6, sizeGiB: 3 },
      { line: 4, kind: 'vdi-export', word: 'VDI-EXPORT-FAIL', vm: 'db' },
    ]);
    assert.equal(second?.status, 'WARNING');
    assert.equal(second?.durationSeconds, 120);
    assert.equal(second?.sizeGiB, 5);
    assert.deepEqual(
      nights.map((n) => isFailingNight(n)),
      [true, true],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a run without an end record is INCOMPLETE, counted from its VM records; junk lines are skipped', () => {
  const text = [
    'not a record',
    '2026/02/01 01:00:00,vmbackup.py,xs1,begin',
    '2026/02/01 01:00:01,vm-export,xs1,begin,a',
    '2026/02/01 01:03:01,vm-export,xs1,end,SUCCESS a,elapse:3 size:7G',
    '2026/02/02 01:00:00,vmbackup.py,xs1,begin',
    '2026/02/02 01:00:09,vmbackup.py,xs1,end,SUCCESS,S:0 W:0 E:0',
    '',
  ].join('\n');
  const nights = parseStatusHistory(text);
  assert.deepEqual(
    nights.map((n) => [n.started, n.status, n.durationSeconds, n.sizeGiB, n.success, n.firstLine, n.lastLine]),
    [
      ['2026/02/01 01:00:00', 'INCOMPLETE', undefined, 7, 1, 1, 3],
      ['2026/02/02 01:00:00', 'SUCCESS', 9, 0, 0, 4, 5],
    ],
  );
  assert.deepEqual(
    nights.map((n) => isFailingNight(n)),
    [true, false],
  );
});

test('records before the first begin and a CRLF log still parse', () => {
  const text =
    '2026/02/01 00:59:00,vm-export,xs1,end,SUCCESS stray,elapse:1 size:1G\r\n' +
    '2026/02/01 01:00:00,vmbackup.py,xs1,begin\r\n' +
    '2026/02/01 01:00:30,vmbackup.py,xs1,end,SUCCESS,S:2 W:0 E:0\r\n';
  const nights = parseStatusHistory(text);
  assert.equal(nights.length, 1);
  assert.deepEqual([nights[0]?.success, nights[0]?.durationSeconds, nights[0]?.vms.length], [2, 30, 0]);
});
