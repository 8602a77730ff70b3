// Hostile VM names (quotes, $(), backticks, newlines, `:`, `;`, globs, leading dashes...):
// each is backed up into its own folder, over local and ssh transports, and nothing they
// contain is ever executed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Simulator } from '../sim/index';
import { CANARY_PATH, readFixture } from '../sim/fixture';
import {
  ensureBundle,
  localTransport,
  runCli,
  snapshotUuids,
  sshTransport,
  startPool,
  workspace,
  type Transport,
} from './helpers';

let sim: Simulator;
const transports: Transport[] = [];
before(async () => {
  ensureBundle();
  sim = await startPool('hostile');
  transports.push(localTransport, await sshTransport(sim));
});
after(async () => {
  for (const t of transports) await t.stop();
  await sim.close();
});

const CANARIES = [CANARY_PATH];

for (const name of ['local', 'ssh'] as const) {
  test(`hostile names back up correctly and inject nothing (${name})`, async () => {
    const transport = transports.find((t) => t.name === name)!;
    for (const c of CANARIES) rmSync(c, { force: true });
    const ws = workspace();
    const before = snapshotUuids(sim);
    const cfg = ws.writeConfig(['vm-export=.*']);
    const result = await runCli(sim, [...transport.args, '--concurrency', '3', cfg]);
    for (const c of CANARIES) assert.ok(!existsSync(c), `${c} was created: a name was executed`);
    assert.deepEqual(snapshotUuids(sim), before, 'no snapshot left');
    // The log shows the original's command string, the name inside its quotes as it is: log text only.
    for (const hostile of ['PROD-$(id)', 'PROD-web "01"', "single'quote", 'semi;colon && echo pwned']) {
      assert.ok(result.stdout.includes(` new-name-label="RESTORE_${hostile}"\n`), `1.cmd: line of ${hostile}`);
    }

    const names = readFixture(join(import.meta.dirname, '..', 'sim', 'fixtures', 'hostile.json')).vms!.map(
      (v) => v.name,
    );
    const refused = (n: string) => n.includes('/') || /[\n\r]/.test(n);
    const unique = names.filter((n) => names.indexOf(n) === names.lastIndexOf(n) && !refused(n));
    // A '/' would put the backup outside its folder: refused with a clear error.
    const withSlash = names.filter((n) => n.includes('/'));
    // A line break cannot pass through xe (its arguments travel as lines): refused per VM.
    const withLineBreak = names.filter((n) => /[\n\r]/.test(n));
    assert.ok(withLineBreak.length > 0);
    for (const vm of withLineBreak) assert.ok(!existsSync(join(ws.backupDir, vm)), JSON.stringify(vm));
    assert.ok(withSlash.length > 0);
    for (const vm of withSlash)
      assert.ok(!existsSync(join(ws.backupDir, vm.split('/')[0]!)) || vm.split('/')[0] === '');
    const folders = readdirSync(ws.backupDir);
    for (const vm of unique) {
      assert.ok(folders.includes(vm), `folder for ${JSON.stringify(vm)}: ${JSON.stringify(folders)}`);
      const backups = readdirSync(join(ws.backupDir, vm));
      assert.equal(backups.length, 1, JSON.stringify(vm));
      const files = readdirSync(join(ws.backupDir, vm, backups[0]!));
      assert.ok(files.includes(`${vm}.xva`) && files.includes('success'), `${JSON.stringify(vm)}: ${files.join(', ')}`);
    }
    // The duplicate name is an error (verify_vm_name), as in the original: exit 2.
    assert.equal(result.code, 2, result.stdout.slice(-2000) + result.stderr);
    assert.match(result.stdout, /ERROR more than one vm with the name comma,name/);
    assert.match(result.stdout, /ERROR the VM name contains '\/', which cannot be part of a folder name/);
    assert.ok(
      result.stdout.includes(
        'ERROR the VM name "new\\nline" contains a line break (\\n or \\r): xe passes its arguments',
      ),
      result.stdout.slice(-3000),
    );
    // One record per line: a newline in a name cannot forge a status-log record.
    const log = readFileSync(ws.statusLog, 'utf8').trimEnd().split('\n');
    for (const line of log) assert.match(line, /^\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2},(vmbackup\.py|vm-export),/);
    assert.ok(
      log.some((l) => l.endsWith(',end,ERROR verify_vm_name new\\nline')),
      log.join('\n'),
    );
    assert.match(
      log.at(-1)!,
      new RegExp(`,end,ERROR,S:${unique.length} W:0 E:${1 + withSlash.length + withLineBreak.length}$`),
    );
  });
}

test('the run-start line quotes a hostile vm-selector; a line break in one is a one-line argument error', async () => {
  const selector = `odd "name" $(touch ${CANARY_PATH}) \`id\`:2`;
  const result = await runCli(sim, [selector, 'preview']);
  const lines = result.stdout.split('\n').filter((l) => l !== '');
  for (const line of lines)
    assert.match(line, /^\d{4}-\d{2}-\d{2}-\(\d{2}:\d{2}:\d{2}\) - /, 'every line is a log line');
  assert.equal(
    lines[0]!.replace(/^.*? - /, ''),
    `VmBackup preview running on the local host with vm-selector ${JSON.stringify(selector)} ` +
      `(vmbackup ${/\(vmbackup ([^)]+)\)/.exec(lines[0]!)![1]})`,
  );
  assert.ok(!existsSync(CANARY_PATH));
  const broken = await runCli(sim, ['new\nline', 'preview']);
  assert.equal(broken.code, 2);
  assert.equal(
    broken.stderr,
    'vmbackup: "new\\nline": ERROR invalid vm-selector (contains a line break): "new\\nline"\n',
  );
});
