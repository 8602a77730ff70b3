import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  EventBus,
  renderLogLine,
  renderJsonLine,
  logTimestamp,
  exitCodeFor,
  type RunEvent,
} from '../../runner/src/backup/events';

test('log lines use the original prefix in local time', () => {
  const d = new Date(2016, 0, 29, 10, 33, 49);
  assert.equal(logTimestamp(d), '2016-01-29-(10:33:49)');
  const bus = new EventBus(() => d);
  const seen: RunEvent[] = [];
  bus.subscribe((e) => seen.push(e));
  bus.info('VmBackup config loaded from: weekend.cfg');
  bus.emit({ type: 'progress', vm: 'a', bytes: 10, message: '' });
  assert.equal(renderLogLine(seen[0]!), '2016-01-29-(10:33:49) - VmBackup config loaded from: weekend.cfg');
  assert.equal(renderLogLine(seen[1]!), undefined);
});

test('JSON lines carry type and ISO time', () => {
  const bus = new EventBus(() => new Date('2024-05-01T10:00:00.000Z'));
  let line = '';
  bus.subscribe((e) => (line = renderJsonLine(e)));
  bus.warning('vm not found', 'web1');
  const parsed = JSON.parse(line);
  assert.equal(parsed.type, 'warning');
  assert.equal(parsed.time, '2024-05-01T10:00:00.000Z');
  assert.equal(parsed.vm, 'web1');
  assert.ok(!line.includes('\n'));
});

test('exit codes from the summary', () => {
  assert.equal(exitCodeFor({ success: 3, warning: 0, error: 0 }), 0);
  assert.equal(exitCodeFor({ success: 3, warning: 1, error: 0 }), 1);
  assert.equal(exitCodeFor({ success: 0, warning: 1, error: 1 }), 2);
});

test('an empty line of xe output is still a log line: the prefix and nothing after it, as the original', () => {
  const bus = new EventBus(() => new Date(2016, 0, 29, 10, 33, 49));
  const seen: RunEvent[] = [];
  bus.subscribe((e) => seen.push(e));
  bus.info('', 'web01');
  bus.info('VDI: 1234 (web01 0) ', 'web01');
  assert.equal(renderLogLine(seen[0]!), '2016-01-29-(10:33:49) - ');
  assert.equal(renderLogLine(seen[1]!), '2016-01-29-(10:33:49) - VDI: 1234 (web01 0) ');
});
