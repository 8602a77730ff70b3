// `preview` against the simulator's weekend pool: the settings block and lists exactly as
// the original prints them for the seed README examples, plus provenance and exit codes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Simulator } from '../sim/index';
import { ensureBundle, repoRoot, runCli, startPool, tempDir } from './helpers';

let sim: Simulator;
before(async () => {
  ensureBundle();
  sim = await startPool('weekend');
});
after(async () => sim.close());

/** Log lines without their `YYYY-MM-DD-(HH:MM:SS) - ` prefix. */
function messages(stdout: string): string[] {
  return stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      assert.match(l, /^\d{4}-\d{2}-\d{2}-\(\d{2}:\d{2}:\d{2}\) - /);
      return l.replace(/^\d{4}-\d{2}-\d{2}-\(\d{2}:\d{2}:\d{2}\) - /, '');
    });
}

function block(lines: string[]): string[] {
  const start = lines.indexOf('VmBackup.py running with these settings:');
  assert.ok(start >= 0, lines.join('\n'));
  return lines.slice(start, start + 13);
}

test('README "Preview Example #2" (weekend.cfg, errors resolved): the exact settings block and lists', async () => {
  const dir = tempDir();
  const cfg = join(dir, 'weekend.cfg');
  writeFileSync(
    cfg,
    readFileSync(join(repoRoot, 'examples', 'weekend.cfg'), 'utf8').replace(
      'backup_dir=/snapshots/BACKUPS',
      `backup_dir=${dir}`,
    ),
  );
  const result = await runCli(sim, [cfg, 'preview']);
  const lines = messages(result.stdout);
  assert.deepEqual(block(lines), [
    'VmBackup.py running with these settings:',
    `  backup_dir        = ${dir}`,
    '  status_log        = /snapshots/NAUbackup/status.log',
    '  compress          = False',
    '  max_backups       = 4',
    '  vdi_export_format = raw',
    '  pool_db_backup    = 0',
    '  exclude (cnt)= 1',
    '  exclude: PROD-ubuntu12-benchmark',
    '  vdi-export (cnt)= 1',
    '  vdi-export: PROD-CentOS7-large-user-disks',
    '  vm-export (cnt)= 4',
    '  vm-export: DEV-RH6:3, DEV-RH7:3, PROD-WinSvr, PROD-ubuntu14',
  ]);
  // The original logs the argument as given (here a full path).
  assert.ok(lines.includes(`VmBackup config loaded from: ${cfg}`));
  assert.ok(lines.includes('Checking all VMs for duplicate names ...'));
  // Provenance: each VM names the config line that selected it.
  assert.ok(
    lines.some(
      (l) =>
        l.startsWith('  vm-export DEV-RH6 <- ') && l.includes('weekend.cfg:7:') && l.includes('vm-export=DEV-RH.*:3'),
    ),
    lines.join('\n'),
  );
  assert.ok(
    lines.some((l) => l.startsWith('  vdi-export PROD-CentOS7-large-user-disks <- ') && l.includes('weekend.cfg:5:')),
  );
  // The pool has a duplicate name (DEV-duplicate) this config does not back up: the original's
  // line is still logged, but as a warning (VMB046), as the editor shows it: exit 1, not 2.
  assert.ok(lines.some((l) => l.startsWith('*** ERROR: duplicate VM name found: DEV-duplicate | [')));
  assert.equal(result.code, 1);
  // W:3 = the late exclude (VMB013), its "forcing exclude" and the duplicate (VMB046).
  assert.match(lines.at(-1)!, /^VmBackup preview ended - \*\*WARNING\(s\)\*\* - E:0 W:3 \(23 VMs in the pool\)$/);
});

test('one rule with the editor: a duplicate warns when not selected, is an error (exit 2) when selected', async () => {
  const dir = tempDir();
  const cfg = join(dir, 'weekend.cfg');
  writeFileSync(
    cfg,
    readFileSync(join(repoRoot, 'examples', 'weekend.cfg'), 'utf8').replace(
      'backup_dir=/snapshots/BACKUPS',
      `backup_dir=${dir}`,
    ),
  );
  const events = async (path: string) => {
    const result = await runCli(sim, ['--json', path, 'preview']);
    const all = result.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; message: string; location?: string });
    return {
      code: result.code,
      duplicate: all.filter((e) => e.message.startsWith('*** ERROR: duplicate VM name found: DEV-duplicate')),
    };
  };
  const unselected = await events(cfg);
  assert.deepEqual(
    unselected.duplicate.map((e) => [e.type, e.location]),
    [['warning', `${cfg}:5:12`]],
  );
  assert.equal(unselected.code, 1);
  writeFileSync(cfg, `backup_dir=${dir}\nvm-export=DEV-dup.*\n`);
  const selected = await events(cfg);
  assert.deepEqual(
    selected.duplicate.map((e) => [e.type, e.location]),
    [['error', `${cfg}:2:11`]],
  );
  assert.equal(selected.code, 2);
});

test("the runner honours the editor's suppression comments for warnings, never for errors", async () => {
  const dir = tempDir();
  const cfg = join(dir, 'quiet.cfg');
  // The duplicate DEV-duplicate (VMB046), a VM that is gone (VMB040) and :0 (VMB011): all silenced.
  const quiet = [
    `backup_dir=${dir}`,
    '# vmbackup-disable-next-line VMB046 VMB040 VMB011 (retired VMs, known duplicate)',
    'vm-export=PROD-WinSvr:0',
    '# vmbackup-disable-next-line VMB040',
    'vm-export=PROD-retired',
  ];
  writeFileSync(cfg, quiet.join('\n') + '\n');
  const result = await runCli(sim, [cfg, 'preview']);
  const lines = messages(result.stdout);
  assert.ok(
    lines.includes('***WARNING - vm not found: vm-export=PROD-retired (VMB040 suppressed by line 4)'),
    lines.join('\n'),
  );
  assert.ok(
    lines.some(
      (l) =>
        l.startsWith('*** ERROR: duplicate VM name found: DEV-duplicate') &&
        l.endsWith('(VMB046 suppressed by line 2)'),
    ),
    lines.join('\n'),
  );
  assert.ok(
    lines.some((l) => l.includes('quiet.cfg:3:') && l.includes('VMB011') && l.endsWith('(suppressed by line 2)')),
    lines.join('\n'),
  );
  assert.ok(
    lines.some((l) => l.trimEnd() === 'SUCCESS preview of parameters'),
    lines.join('\n'),
  );
  assert.equal(result.code, 0);
  // An error stays an error whatever the comment says (the editor offers no "Suppress" for it).
  writeFileSync(
    cfg,
    [`backup_dir=${dir}`, '# vmbackup-disable-next-line', 'vm-export=PRD-[aA.*', 'vm-export=PROD-WinSvr'].join('\n') +
      '\n',
  );
  const failing = await runCli(sim, [cfg, 'preview']);
  assert.match(failing.stdout, /quiet\.cfg:3:\d+: error VMB030 /);
  assert.equal(failing.code, 2);
});

test(
  'README "Preview Example #1" with a vm-selector: "DEV mySql" is selected (the pool\'s duplicate name, ' +
    'not selected, only warns)',
  async () => {
    const result = await runCli(sim, ['DEV mySql', 'preview']);
    const lines = messages(result.stdout);
    // The first line says what runs where (a VM name is quoted: it may hold anything).
    assert.match(
      lines[0]!,
      /^VmBackup preview running on the local host with vm-selector "DEV mySql" \(vmbackup \d+\.\d+\.\d+\)$/,
    );
    const b = block(lines);
    assert.deepEqual(b.slice(7), [
      '  exclude (cnt)= 0',
      '  exclude: ',
      '  vdi-export (cnt)= 0',
      '  vdi-export: ',
      '  vm-export (cnt)= 1',
      '  vm-export: DEV mySql',
    ]);
    assert.equal(b[1], '  backup_dir        = /snapshots/BACKUPS');
    assert.ok(lines.includes('VmBackup config loaded from: DEV mySql'), 'the original names the vm-selector');
    assert.equal(result.code, 1);
  },
);

test('a vm-selector that matches nothing: the original warning, no VMs loaded, exit 2', async () => {
  const result = await runCli(sim, ['DEV-mySql', 'preview']);
  const lines = messages(result.stdout);
  assert.ok(lines.includes('***WARNING - vm not found: vm-export=DEV-mySql'), lines.join('\n'));
  assert.ok(lines.includes('ERROR no VMs loaded'));
  assert.equal(result.code, 2);
});

test('config diagnostics are printed as file:line:col and make the preview fail', async () => {
  const dir = tempDir();
  const cfg = join(dir, 'typo.cfg');
  writeFileSync(cfg, `backup_dir=${dir}\nmax_backup=3\nvm-export=PROD-WinSvr\nvm-export=a=b\n`);
  const result = await runCli(sim, [cfg, 'preview']);
  assert.equal(result.code, 2);
  assert.match(result.stdout, new RegExp(`${cfg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2:1: error VMB\\d+ `));
  assert.match(result.stdout, /typo\.cfg:4:\d+: error VMB\d+ /);
  assert.doesNotMatch(result.stdout + result.stderr, /\n\s+at .*:\d+:\d+\)?\n/, 'no stack trace');
});

test('--json preview: one JSON object per line, ends with run-end and its exit code', async () => {
  const dir = tempDir();
  const cfg = join(dir, 'weekend.cfg');
  writeFileSync(
    cfg,
    readFileSync(join(repoRoot, 'examples', 'weekend.cfg'), 'utf8').replace(
      'backup_dir=/snapshots/BACKUPS',
      `backup_dir=${dir}`,
    ),
  );
  const result = await runCli(sim, ['--json', cfg, 'preview']);
  const events = result.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { type: string; time: string; message: string; exitCode?: number; location?: string });
  assert.equal(events[0]!.type, 'run-start');
  assert.match(
    events[0]!.message,
    new RegExp(
      `^VmBackup preview running on the local host with config ${cfg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} ` +
        `\\(vmbackup \\d+\\.\\d+\\.\\d+`,
    ),
  );
  const end = events.at(-1)!;
  assert.equal(end.type, 'run-end');
  assert.equal(end.exitCode, result.code);
  for (const e of events) assert.match(e.time, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
});
