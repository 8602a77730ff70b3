// The child-process wrapper: events parsed from JSON lines even when split across writes,
// stderr passed on, non-event lines kept, and stop() delivering SIGTERM so the child can
// clean up and still report its run-end.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RunEvent } from '../../runner/src/backup/events';
import { parseEventLine, RunnerProcess, type RunnerListener } from '../../client/src/runnerProcess';

function collect() {
  const events: RunEvent[] = [];
  const text: string[] = [];
  const stderr: string[] = [];
  const listener: RunnerListener = {
    event: (e) => events.push(e),
    text: (l) => text.push(l),
    stderr: (l) => stderr.push(l),
  };
  return { events, text, stderr, listener };
}

function nodeScript(source: string, stopBy: 'signal' | 'message' = 'signal') {
  return { command: process.execPath, args: ['-e', source], env: { ...process.env }, cwd: process.cwd(), stopBy };
}

test('parseEventLine accepts runner events only', () => {
  assert.equal(parseEventLine('{"type":"info","time":"t","message":"hi"}')?.type, 'info');
  assert.equal(parseEventLine('{"type":"nope","message":"x"}'), undefined);
  assert.equal(parseEventLine('{"type":"info"}'), undefined);
  assert.equal(parseEventLine('{broken'), undefined);
  assert.equal(parseEventLine('2026-11-21-(10:00:00) - plain log line'), undefined);
});

test('events split across writes, stderr and stray stdout lines all arrive; exit code reported', async () => {
  const { events, text, stderr, listener } = collect();
  const script =
    `
    const a = JSON.stringify({ type: 'info', time: 't', message: 'first' });
    const b = JSON.stringify({ type: 'run-end', time: 't', message: 'done', outcome: 'warning', ` +
    `summary: { success: 1, warning: 1, error: 0 }, exitCode: 1, elapsedMs: 5 });
    process.stdout.write(a.slice(0, 10));
    setTimeout(() => { process.stdout.write(a.slice(10) + '\\nnot json\\n' + b + '\\n'); ` +
    `process.stderr.write('note on stderr\\n'); process.exitCode = 1; }, 50);
  `;
  const runner = new RunnerProcess(nodeScript(script), listener);
  const exit = await runner.exited;
  assert.equal(exit.code, 1);
  assert.equal(exit.stopped, false);
  assert.deepEqual(
    events.map((e) => e.message),
    ['first', 'done'],
  );
  assert.equal(exit.runEnd?.summary.warning, 1);
  assert.deepEqual(text, ['not json']);
  assert.deepEqual(stderr, ['note on stderr']);
});

test('stop() sends SIGTERM; the child cleans up and reports its run-end', async () => {
  const { events, listener } = collect();
  const script =
    `
    process.on('SIGTERM', () => {
      console.log(JSON.stringify({ type: 'warning', time: 't', message: 'interrupted: removing snapshot' }));
      console.log(JSON.stringify({ type: 'run-end', time: 't', message: 'stopped', outcome: 'error', ` +
    `summary: { success: 0, warning: 0, error: 1 }, exitCode: 2, elapsedMs: 1 }));
      process.exit(2);
    });
    console.log(JSON.stringify({ type: 'run-start', time: 't', message: 'started', mode: 'backup', ` +
    `host: 'local', version: '0' }));
    setInterval(() => {}, 1000);
  `;
  const runner = new RunnerProcess(nodeScript(script), listener);
  await new Promise<void>((resolve) => {
    const wait = setInterval(() => {
      if (events.length > 0) {
        clearInterval(wait);
        resolve();
      }
    }, 10);
  });
  runner.stop();
  const exit = await runner.exited;
  assert.equal(exit.code, 2);
  assert.equal(exit.stopped, true);
  assert.deepEqual(
    events.map((e) => e.type),
    ['run-start', 'warning', 'run-end'],
  );
  assert.equal(exit.runEnd?.message, 'stopped');
});

test('stop() on Windows: the stop message over the IPC channel, never a kill', async () => {
  const { events, listener } = collect();
  // The child ignores SIGTERM: only the message can stop it cleanly.
  const script =
    `
    process.on('SIGTERM', () => console.log('SIGTERM is not how Windows stops a run'));
    process.on('message', (message) => {
      if (message?.type !== 'vmbackup-stop') return;
      console.log(JSON.stringify({ type: 'run-end', time: 't', message: 'stopped', outcome: 'error', ` +
    `summary: { success: 0, warning: 0, error: 1 }, exitCode: 2, elapsedMs: 1 }));
      process.exit(2);
    });
    console.log(JSON.stringify({ type: 'run-start', time: 't', message: 'started', mode: 'backup', ` +
    `host: 'local', version: '0' }));
  `;
  const runner = new RunnerProcess(nodeScript(script, 'message'), listener);
  await new Promise<void>((resolve) => {
    const wait = setInterval(() => {
      if (events.length > 0) {
        clearInterval(wait);
        resolve();
      }
    }, 10);
  });
  runner.stop();
  const exit = await runner.exited;
  assert.equal(exit.signal, null);
  assert.equal(exit.code, 2);
  assert.equal(exit.stopped, true);
  assert.deepEqual(
    events.map((e) => e.type),
    ['run-start', 'run-end'],
  );
});

test('a missing executable is reported as a spawn error, not thrown', async () => {
  const { listener } = collect();
  const runner = new RunnerProcess(
    { command: '/nonexistent/node', args: [], env: {}, cwd: process.cwd(), stopBy: 'signal' },
    listener,
  );
  const exit = await runner.exited;
  assert.match(String(exit.spawnError?.message), /ENOENT/);
});
