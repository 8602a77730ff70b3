// report_file= and mail_to= wired into a real run: the JSON report lands next to the backups
// and the summary mail reaches a real SMTP server process on 127.0.0.1.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import type { Simulator } from '../sim/index';
import { ensureBundle, runCli, startPool, workspace } from './helpers';

let sim: Simulator;
let smtp: SMTPServer;
let port = 0;
const mails: { to: string[]; data: string }[] = [];

before(async () => {
  ensureBundle();
  sim = await startPool({ name: 'notify', vms: [{ name: 'web01', disks: [{ size: '1MiB' }] }] });
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, session, callback) {
      let data = '';
      stream.on('data', (c: Buffer) => (data += c.toString()));
      stream.on('end', () => {
        mails.push({ to: session.envelope.rcptTo.map((r) => r.address), data });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  port = (smtp.server.address() as AddressInfo).port;
});
after(async () => {
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
  await sim.close();
});

test('report_file and mail_to after a backup run', async () => {
  const ws = workspace();
  const report = join(ws.dir, 'logs', 'last-run.json');
  const cfg = ws.writeConfig([
    `report_file=${report}`,
    'mail_to=admins@example.com',
    'mail_from=vmbackup@example.com',
    `smtp_server=127.0.0.1:${port}`,
    'vm-export=web01',
  ]);
  const result = await runCli(sim, [cfg]);
  assert.equal(result.code, 0, result.stdout + result.stderr);
  const json = JSON.parse(readFileSync(report, 'utf8'));
  assert.equal(json.format, 'vmbackup-run-report');
  assert.equal(json.exitCode, 0);
  assert.deepEqual(json.summary, { success: 1, warning: 0, error: 0 });
  assert.equal(json.vms[0].name, 'web01');
  assert.equal(mails.length, 1);
  assert.deepEqual(mails[0]!.to, ['admins@example.com']);
  assert.match(mails[0]!.data, /Subject: Success \S+ VmBackup\.py/);
  assert.match(result.stdout, /summary mail sent to admins@example\.com/);
});
