import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBus } from '../../runner/src/backup/events';
import { createLocalHost } from '../../runner/src/host/local';
import { RunReportCollector, renderRunReportText, writeRunReport } from '../../runner/src/notify/report';

/** A run as the engine reports it: two VMs, one with a warning, one failing; a run-level error. */
function sampleRun(): RunReportCollector {
  let clock = Date.parse('2026-01-29T10:33:49.000Z');
  const bus = new EventBus(() => new Date((clock += 1000)));
  const collector = new RunReportCollector();
  bus.subscribe(collector.sink);
  bus.emit({
    type: 'run-start',
    mode: 'backup',
    config: '/etc/vmbackup/prod.cfg',
    host: 'ssh root@xen01:22',
    version: '0.1.0',
    message: 'VmBackup running',
  });
  bus.emit({ type: 'vm-start', vm: 'web01', kind: 'vm-export', index: 1, total: 2, message: 'vm-export web01' });
  bus.warning('WARNING snapshot removal retried', 'web01');
  bus.emit({
    type: 'vm-end',
    vm: 'web01',
    kind: 'vm-export',
    outcome: 'warning',
    folder: '/backups/web01/backup-2026-01-29-(10:33:51)',
    bytes: 3 * 1024 ** 3,
    elapsedMs: 61_000,
    message: 'end',
  });
  bus.emit({ type: 'vm-start', vm: "db'01", kind: 'vdi-export', index: 2, total: 2, message: 'vdi-export' });
  bus.error('ERROR vdi-export failed: VDI_IO_ERROR', "db'01");
  bus.emit({
    type: 'vm-end',
    vm: "db'01",
    kind: 'vdi-export',
    outcome: 'error',
    bytes: 0,
    elapsedMs: 2_000,
    message: 'end',
  });
  bus.error('ERROR pool DB backup failed');
  bus.error('unknown key', undefined, 'prod.cfg:3:1');
  bus.emit({
    type: 'run-end',
    outcome: 'error',
    summary: { success: 0, warning: 1, error: 2 },
    exitCode: 2,
    elapsedMs: 9_000,
    message: 'VmBackup ended',
  });
  return collector;
}

test('the report follows the event stream', () => {
  const report = sampleRun().report();
  assert.deepEqual(report, {
    format: 'vmbackup-run-report',
    formatVersion: 1,
    version: '0.1.0',
    mode: 'backup',
    config: '/etc/vmbackup/prod.cfg',
    host: 'ssh root@xen01:22',
    started: '2026-01-29T10:33:50.000Z',
    ended: '2026-01-29T10:33:59.000Z',
    elapsedMs: 9000,
    outcome: 'error',
    exitCode: 2,
    summary: { success: 0, warning: 1, error: 2 },
    vms: [
      {
        name: 'web01',
        kind: 'vm-export',
        outcome: 'warning',
        folder: '/backups/web01/backup-2026-01-29-(10:33:51)',
        bytes: 3 * 1024 ** 3,
        elapsedMs: 61000,
        warnings: ['WARNING snapshot removal retried'],
        errors: [],
      },
      {
        name: "db'01",
        kind: 'vdi-export',
        outcome: 'error',
        bytes: 0,
        elapsedMs: 2000,
        warnings: [],
        errors: ['ERROR vdi-export failed: VDI_IO_ERROR'],
      },
    ],
    warnings: [],
    errors: ['ERROR pool DB backup failed', 'prod.cfg:3:1: unknown key'],
  });
});

test('no report before the run has ended', () => {
  const collector = new RunReportCollector();
  collector.add({
    type: 'run-start',
    mode: 'backup',
    host: 'local',
    version: '1',
    time: '2026-01-01T00:00:00.000Z',
    message: '',
  });
  assert.equal(collector.report(), undefined);
});

test('written as JSON through a host, replacing the previous report in one step', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vmbackup-report-'));
  try {
    const host = createLocalHost();
    const report = sampleRun().report()!;
    const path = join(dir, 'last-run.json');
    await writeRunReport(host, path, { ...report, outcome: 'success' });
    await writeRunReport(host, path, report);
    assert.deepEqual(JSON.parse(readFileSync(path, 'utf8')), report);
    assert.deepEqual(readdirSync(dir), ['last-run.json']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('text rendering names every VM, its result and the run-level problems', () => {
  const text = renderRunReportText(sampleRun().report()!);
  assert.match(text, /^VmBackup run on ssh root@xen01:22 \(backup, \/etc\/vmbackup\/prod\.cfg\)\n/);
  assert.match(text, /outcome ERROR, S:0 W:1 E:2/);
  assert.match(
    text,
    /^WARNING vm-export web01 {2}3\.0 GiB {2}61 s {2}\/backups\/web01\/backup-2026-01-29-\(10:33:51\)$/m,
  );
  assert.match(text, /^ERROR {3}vdi-export db'01 {2}0 B {2}2 s$/m);
  assert.match(text, /^ {8}ERROR vdi-export failed: VDI_IO_ERROR$/m);
  assert.match(text, /^prod\.cfg:3:1: unknown key$/m);
});
