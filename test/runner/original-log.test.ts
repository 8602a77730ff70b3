// Drop-in log: vmbackup's human log against the lines VmBackup.py v3.25 prints for the same
// config and pool (docs/cli.md "Log lines"). The transcripts below are written by hand from
// the original's code (NAUbackup/VmBackup, VmBackup.py of the V3.25 commit, read, not run
// and not copied): each block names the function it follows. Lines that hold run-time values
// use placeholders: {{NAME}} is a value known before the run (paths, the pool's uuids, refs
// and names from the simulator), {{name:kind}} binds a value at its first occurrence (the
// snapshot uuid, the folder time) that every later {{name}} must repeat; {{_x:kind}} matches
// anew each time (df's figures). xe's own output lines are xe's text as xapi prints it
// (cli_operations.ml, cli_printer.ml; the same lines recorded on real hosts in
// NAUbackup/VmBackup issues #83 and #96). vmbackup's own lines are removed by the rules
// docs/cli.md states, read from docs/cli.md itself.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Fixture, Simulator } from '../sim/index';
import type { XapiRecord } from '../sim/state';
import { describeXe, xeOutputLines } from '../../runner/src/backup/xe';
import {
  ensureBundle,
  localTransport,
  repoRoot,
  runCli,
  snapshotUuids,
  sshTransport,
  startPool,
  tempDir,
  workspace,
} from './helpers';

const execFileAsync = promisify(execFile);
const PREFIX = /^\d{4}-\d{2}-\d{2}-\(\d{2}:\d{2}:\d{2}\) - /;

/** The log's messages without the `YYYY-MM-DD-(HH:MM:SS) - ` prefix (every line has one). */
function logMessages(stdout: string): string[] {
  const lines = stdout.split('\n');
  assert.equal(lines.pop(), '', 'the log ends with a newline');
  return lines.map((line) => {
    assert.match(line, PREFIX);
    return line.replace(PREFIX, '');
  });
}

/** The patterns of "Lines vmbackup adds" in docs/cli.md (the ```text block after it). */
function documentedExtraLines(): RegExp[] {
  const doc = readFileSync(join(repoRoot, 'docs', 'cli.md'), 'utf8');
  const section = doc.slice(doc.indexOf('**Lines vmbackup adds.**'));
  const block = /```text\n([\s\S]*?)```/.exec(section);
  assert.ok(block, 'docs/cli.md lists the added lines');
  return block[1]!
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => new RegExp(l));
}

const FAILED_VM_END = /^VmBackup (vm-export|vdi-export|metadata-export) .+ - \*\*\*ERROR\*\*\* t:\d+$/;

/**
 * docs/cli.md: after a VM's error line (its last line starting with `ERROR` or
 * `verify_vm_name:`), everything up to and including `VmBackup <kind> <vm> - ***ERROR*** t:N`
 * is vmbackup's; other added lines match the documented patterns.
 */
function originalView(messages: string[]): string[] {
  const keep = messages.map(() => true);
  messages.forEach((line, i) => {
    if (!FAILED_VM_END.test(line)) return;
    let j = i - 1;
    while (j >= 0 && !/^(ERROR|verify_vm_name:)/.test(messages[j]!)) j--;
    assert.ok(j >= 0, `an error line before ${line}`);
    for (let k = j + 1; k <= i; k++) keep[k] = false;
  });
  const extra = documentedExtraLines();
  return (
    messages
      .filter((line, i) => keep[i] && !extra.some((re) => re.test(line)))
      // docs/cli.md: the removal's command is named snapshot-uninstall where the original wrote vm-uninstall.
      .map((line) => line.replace(/^((?:\d\.)?cmd: \/opt\/xensource\/bin\/xe )snapshot-uninstall /, '$1vm-uninstall '))
  );
}

const KINDS: Record<string, string> = {
  uuid: '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}',
  stamp: '\\d{4}-\\d{2}-\\d{2}-\\(\\d{2}:\\d{2}:\\d{2}\\)',
  n: '\\d+',
  any: '.*',
};
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const PLACEHOLDER = /\{\{(\w+)(?::(\w+))?\}\}/g;

/** Compares the log with a transcript; a mismatch shows both from the first differing line. */
function assertTranscript(actual: string[], transcript: string[], known: Record<string, string>): void {
  const bound = new Map(Object.entries(known));
  const fill = (t: string) => t.replace(PLACEHOLDER, (m, name: string) => bound.get(name) ?? m);
  for (let i = 0; i < Math.max(actual.length, transcript.length); i++) {
    const template = transcript[i];
    const line = actual[i];
    let ok = template !== undefined && line !== undefined;
    if (ok) {
      const names: string[] = [];
      let source = '^';
      let last = 0;
      for (const m of template!.matchAll(PLACEHOLDER)) {
        source += escape(template!.slice(last, m.index));
        const [, name, kind] = m;
        // {{_x:kind}} is a wildcard: it matches anew each time (df's figures change).
        if (name!.startsWith('_')) source += `(?:${KINDS[kind!]})`;
        else if (bound.has(name!)) source += escape(bound.get(name!)!);
        else if (names.includes(name!)) source += `\\k<${name}>`;
        else {
          assert.ok(kind && KINDS[kind], `placeholder {{${name}}} is neither known nor typed`);
          names.push(name!);
          source += `(?<${name}>${KINDS[kind]})`;
        }
        last = m.index! + m[0].length;
      }
      const match = new RegExp(source + escape(template!.slice(last)) + '$').exec(line!);
      ok = match !== null;
      if (match) for (const name of names) bound.set(name, match.groups![name]!);
    }
    if (!ok) assert.deepEqual(actual.slice(i), transcript.slice(i).map(fill), `transcript differs at line ${i + 1}`);
  }
}

/** `df_snapshots()`: the title, then df -Th's lines (its header and the backup_dir's filesystem). */
const df = (title: string) => [`${title}: df -Th {{BACKUPS}}`, 'Filesystem{{_a:any}}', '{{_b:any}}'];

let sim: Simulator;
before(async () => {
  ensureBundle();
  // The weekend pool without its second DEV-duplicate: the original's preview says SUCCESS
  // even for duplicate names, where vmbackup's preview fails (a documented difference).
  const fixture = JSON.parse(
    readFileSync(join(repoRoot, 'test', 'sim', 'fixtures', 'weekend.json'), 'utf8'),
  ) as Fixture;
  const duplicates = fixture.vms!.filter((vm) => vm.name === 'DEV-duplicate');
  assert.equal(duplicates.length, 2);
  fixture.vms = fixture.vms!.filter((vm) => vm !== duplicates[1]);
  sim = await startPool(fixture);
});
after(async () => sim.close());
afterEach(() => sim.faults.reset());

function vmNamed(name: string): { ref: string; rec: XapiRecord } {
  const found = [...sim.state.entries('VM')].filter(
    ([, r]) => r.name_label === name && r.is_a_snapshot !== true && r.is_a_template !== true,
  );
  assert.equal(found.length, 1, name);
  return { ref: found[0]![0], rec: found[0]![1] };
}

/**
 * gather_vm_meta(): `Exporting VM metadata XML info`, `*** vm-export metadata end`,
 * `Writing disk info`, then for each of the VM's VBDs `vbd: <ref>` and, for a Disk,
 * `disk: <VDI name_label> - begin`; `Writing VIF info` and `Writing VIF: <device>` each.
 */
function gatherVmMeta(name: string): string[] {
  const { rec } = vmNamed(name);
  const lines = ['Exporting VM metadata XML info', '*** vm-export metadata end', 'Writing disk info'];
  for (const vbdRef of rec.VBDs as string[]) {
    lines.push(`vbd: ${vbdRef}`);
    const vbd = sim.state.get('VBD', vbdRef)!;
    if (String(vbd.type).toLowerCase() === 'disk')
      lines.push(`disk: ${sim.state.get('VDI', vbd.VDI as string)!.name_label} - begin`);
  }
  lines.push('Writing VIF info');
  for (const vifRef of rec.VIFs as string[]) lines.push(`Writing VIF: ${sim.state.get('VIF', vifRef)!.device}`);
  return lines;
}

/** The first disk of a VM (its one VBD of type Disk in these fixtures, device xvda). */
function xvda(name: string): XapiRecord {
  const { rec } = vmNamed(name);
  const vbd = (rec.VBDs as string[]).map((r) => sim.state.get('VBD', r)!).find((v) => v.device === 'xvda')!;
  return sim.state.get('VDI', vbd.VDI as string)!;
}

/** `__main__` up to main() for a config file: load messages, `config loaded`, config_print(). */
function configPrint(cfg: { exclude?: string[]; vdi?: string[]; vm?: string[]; statusLog: string }): string[] {
  const list = (label: string, items: string[] = []) => [
    `  ${label} (cnt)= ${items.length}`,
    `  ${label}: ${[...items].sort().join(', ')}`,
  ];
  return [
    'VmBackup config loaded from: {{CFG}}',
    'VmBackup.py running with these settings:',
    '  backup_dir        = {{BACKUPS}}',
    `  status_log        = ${cfg.statusLog}`,
    '  compress          = False',
    '  max_backups       = 4',
    '  vdi_export_format = raw',
    '  pool_db_backup    = 0',
    ...list('exclude', cfg.exclude),
    ...list('vdi-export', cfg.vdi),
    ...list('vm-export', cfg.vm),
  ];
}

/** main() up to the vdi-export loop, after `SUCCESS check of parameters %s` % ''. */
const mainBegin = [
  'SUCCESS check of parameters ',
  '===========================',
  'VmBackup running on {{HOST}} ...',
  '===========================',
  'Check if backup directory {{BACKUPS}} is writable ...',
  '/bin/touch "{{BACKUPS}}/00VMbackupWriteTest"',
  'Success: backup directory area is writable',
  '===========================',
  ...df('Space before backups'),
  '************ vdi-export= ***************',
];

/** main() after the vm-export loop. */
const mainEnd = (summary: string) => [
  '===========================',
  ...df('Space status'),
  `VmBackup ended - ${summary}`,
];

/** The vm-export loop of main() for a running VM with no leftover snapshot, up to `3.cmd`. */
function vmExportUntilExport(name: string): string[] {
  return [
    `*** vm-export begin ${name}`,
    `vm-export - vm_name: ${name} max_backups: 4`,
    // process_backup_dir() / create_full_backup_dir()
    `Check for last **unsuccessful** backup: {{BACKUPS}}/${name}`,
    `new backup_dir: {{BACKUPS}}/${name}/backup-{{stamp:stamp}}`,
    ...gatherVmMeta(name),
    '*** vm-export begin xe command sequence',
    // run_log_out_wait_rc('xe vm-list name-label="<vm>" params=power-state | /bin/grep running'):
    // the one record line of xe's printer (key padded to 4 + its length) that grep keeps.
    'power-state ( RO)    : running',
    'vm is running',
    `check for prev-vm-snapshot: RESTORE_${name}`,
    `1.cmd: /opt/xensource/bin/xe vm-snapshot vm={{VM}} new-name-label="RESTORE_${name}"`,
    'snap-uuid: {{snap:uuid}}',
    '2.cmd: /opt/xensource/bin/xe template-param-set is-a-template=false ha-always-run=false uuid={{snap}}',
    `3.cmd: /opt/xensource/bin/xe vm-export uuid={{snap}} filename="{{BACKUPS}}/${name}/backup-{{stamp}}/${name}.xva"`,
  ];
}

function known(ws: { backupDir: string }, cfg: string, vm?: string): Record<string, string> {
  return {
    BACKUPS: ws.backupDir,
    CFG: cfg,
    HOST: hostname().split('.')[0]!,
    ...(vm ? { VM: String(vmNamed(vm).rec.uuid) } : {}),
  };
}

test("README seed weekend.cfg preview: the original's lines (forcing exclude, config_print, SUCCESS)", async () => {
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
  // config_load(): the exclude comes last, so RemoveDup() drops the VM it excludes from the
  // vm-export list with 'forcing exclude of: %s ' (trailing blank); then the config-file
  // branch of __main__, config_print(), and preview: the duplicate check (none in this
  // pool) and `log('SUCCESS preview of parameters %s' % '')`.
  assertTranscript(
    originalView(logMessages(result.stdout)),
    [
      '***WARNING - forcing exclude of: PROD-ubuntu12-benchmark ',
      ...configPrint({
        statusLog: '/snapshots/NAUbackup/status.log',
        exclude: ['PROD-ubuntu12-benchmark'],
        vdi: ['PROD-CentOS7-large-user-disks'],
        vm: ['PROD-ubuntu14', 'PROD-WinSvr', 'DEV-RH6:3', 'DEV-RH7:3'],
      }),
      'Checking all VMs for duplicate names ...',
      'SUCCESS preview of parameters ',
    ],
    { BACKUPS: dir, CFG: cfg },
  );
});

test('preview: `config loaded from` a vm-selector; the suffix after a selection that matches nothing', async () => {
  const found = logMessages((await runCli(sim, ['vm-export=DEV-RH.*', 'preview'])).stdout);
  assert.ok(found.includes('VmBackup config loaded from: vm-export=DEV-RH.*'), found.join('\n'));
  assert.ok(found.includes('SUCCESS preview of parameters '), found.join('\n'));
  // save_to_config_export(): `***WARNING - vm not found`, warning_match; the preview line
  // is then 'SUCCESS preview of parameters %s' % ' - WARNINGS found (see above)' (two blanks)
  // and vmbackup stops with 'ERROR no VMs loaded' (nothing was selected).
  const dir = tempDir();
  const cfg = join(dir, 'miss.cfg');
  writeFileSync(cfg, `backup_dir=${dir}\nvm-export=DEV-RH6\nvm-export=NOPE.*\n`);
  const missing = logMessages((await runCli(sim, [cfg, 'preview'])).stdout);
  assert.ok(missing.includes('***WARNING - vm not found: vm-export=NOPE.*'), missing.join('\n'));
  assert.ok(missing.includes('SUCCESS preview of parameters  - WARNINGS found (see above)'), missing.join('\n'));
  // An invalid regex: `ERROR regex errors found (see above) %s` with the same suffix.
  writeFileSync(cfg, `backup_dir=${dir}\nvm-export=DEV-RH6\nvm-export=NOPE.*\nvm-export=(bad\n`);
  const regex = logMessages((await runCli(sim, [cfg, 'preview'])).stdout);
  assert.ok(regex.includes('ERROR regex errors found (see above)  - WARNINGS found (see above)'), regex.join('\n'));
});

test('a vm-selector that selects nothing: `ERROR no VMs loaded` after the settings, as in __main__', async () => {
  const result = await runCli(sim, ['NOPE']);
  assert.equal(result.code, 2);
  // save_to_config_export() warns while loading; config_print() with the defaults
  // (config_load_defaults); then `if len(config['vm-export']) == 0 and ...: log('ERROR no VMs loaded')`.
  assertTranscript(
    originalView(logMessages(result.stdout)),
    [
      '***WARNING - vm not found: vm-export=NOPE',
      'VmBackup config loaded from: NOPE',
      'VmBackup.py running with these settings:',
      '  backup_dir        = /snapshots/BACKUPS',
      '  status_log        = /snapshots/NAUbackup/status.log',
      '  compress          = False',
      '  max_backups       = 4',
      '  vdi_export_format = raw',
      '  pool_db_backup    = 0',
      '  exclude (cnt)= 0',
      '  exclude: ',
      '  vdi-export (cnt)= 0',
      '  vdi-export: ',
      '  vm-export (cnt)= 0',
      '  vm-export: ',
      'ERROR no VMs loaded',
    ],
    {},
  );
});

for (const via of ['local', 'ssh'] as const) {
  test(`vm-export of a running VM (${via}): the original's lines and the xe output it logs`, async (t) => {
    const transport = via === 'ssh' ? await sshTransport(sim) : localTransport;
    t.after(() => transport.stop());
    const ws = workspace();
    const cfg = ws.writeConfig(['vm-export=DEV-RH7']);
    const before0 = snapshotUuids(sim);
    const result = await runCli(sim, [...transport.args, cfg]);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assertTranscript(
      originalView(logMessages(result.stdout)),
      [
        ...configPrint({ statusLog: ws.statusLog, vm: ['DEV-RH7'] }),
        ...mainBegin,
        '************ vm-export= ***************',
        ...vmExportUntilExport('DEV-RH7'),
        // xe vm-export prints `Export succeeded` when it wrote a file (cli_operations.ml).
        'Export succeeded',
        'vm-export success',
        '4.cmd: /opt/xensource/bin/xe vm-uninstall uuid={{snap}} force=true',
        // xe vm-uninstall's listing (cli_operations.ml vm_uninstall_common; issue #96): the
        // snapshot, then its disk (a VDI snapshot keeps the disk's name), `%s (%s) %s` with an
        // empty third field leaving a trailing blank.
        'The following items are about to be destroyed',
        'VM : {{snap}} (RESTORE_DEV-RH7)',
        `VDI: {{snapvdi:uuid}} (${xvda('DEV-RH7').name_label}) `,
        'All objects destroyed',
        '*** vm-export end',
        // final_cleanup(): size in whole GiB (integer division)
        '*** success: {{BACKUPS}}/DEV-RH7/backup-{{stamp}}/DEV-RH7.xva : 0G',
        'VmBackup vm-export DEV-RH7 - ***Success*** t:{{t:n}}',
        ...mainEnd('Success - S:1 W:0 E:0'),
      ],
      known(ws, cfg, 'DEV-RH7'),
    );
    assert.deepEqual(
      snapshotUuids(sim).filter((u) => !before0.includes(u)),
      [],
    );
  });
}

/** Runs the simulator's xe (as an admin would on the pool) and returns its stdout. */
async function adminXe(args: string[]): Promise<string> {
  const { stdout } = await execFileAsync(sim.xePath, args, { env: { ...process.env, ...sim.xeEnv() } });
  return stdout.trim();
}

test("vdi-export with a leftover snapshot: the original's lines, its clean-up and the vdi-list record", async () => {
  const ws = workspace();
  const name = 'PROD-CentOS7-large-user-disks';
  const cfg = ws.writeConfig([`vdi-export=${name}`]);
  const disk = xvda(name);
  // 'SNAP_%s_%s' % (vm_name, xvda_name_label), then re.sub(' ', '-')
  const snapName = `SNAP_${name}_${String(disk.name_label)}`.replace(/ /g, '-');
  // What a killed earlier run leaves: a VDI snapshot of the disk under that name.
  const leftover = await adminXe(['vdi-snapshot', `uuid=${String(disk.uuid)}`]);
  await adminXe(['vdi-param-set', `uuid=${leftover}`, `name-label=${snapName}`]);
  const result = await runCli(sim, [cfg]);
  assert.equal(result.code, 0, result.stdout + result.stderr);
  const sr = sim.state.get('SR', disk.SR as string)!;
  const file = `{{BACKUPS}}/${name}/backup-{{stamp}}/${name}.raw`;
  assertTranscript(
    originalView(logMessages(result.stdout)),
    [
      ...configPrint({ statusLog: ws.statusLog, vdi: [name] }),
      ...mainBegin,
      `*** vdi-export begin ${name}`,
      `vdi-export - vm_name: ${name} max_backups: 4`,
      `Check for last **unsuccessful** backup: {{BACKUPS}}/${name}`,
      `new backup_dir: {{BACKUPS}}/${name}/backup-{{stamp:stamp}}`,
      ...gatherVmMeta(name),
      '*** vdi-export begin xe command sequence',
      'power-state ( RO)    : running',
      'vm is running',
      '1.cmd: /opt/xensource/bin/xe vdi-list uuid={{XVDA}}',
      // xe vdi-list's default fields (records.ml), one record as cli_printer.ml prints it:
      // keys padded to 4 + the longest key (first line on the right, the others on the
      // left), then two empty lines, each logged as its own (empty) line.
      'uuid ( RO)                : {{XVDA}}',
      `          name-label ( RW): ${disk.name_label}`,
      `    name-description ( RW): ${disk.name_description}`,
      `             sr-uuid ( RO): ${sr.uuid}`,
      `        virtual-size ( RO): ${disk.virtual_size}`,
      `            sharable ( RO): ${disk.sharable}`,
      `           read-only ( RO): ${disk.read_only}`,
      '',
      '',
      `check for prev-vdi-snapshot: ${snapName}`,
      // the leftover found by `xe vdi-list name-label='<name>' params=uuid | ...` is destroyed
      // (xe vdi-destroy prints nothing)
      'cleanup old-snap-vdi-uuid: {{OLD}}',
      'cmd: /opt/xensource/bin/xe vdi-destroy uuid={{OLD}}',
      '2.cmd: /opt/xensource/bin/xe vdi-snapshot uuid={{XVDA}}',
      'snap-uuid: {{snap:uuid}}',
      `3.cmd: /opt/xensource/bin/xe vdi-param-set uuid={{snap}} name-label="${snapName}"`,
      `4.cmd: /opt/xensource/bin/xe vdi-export format=raw uuid={{snap}} filename="${file}"`,
      // xe vdi-export prints nothing on success (cli_operations.ml)
      'vdi-export success',
      '5.cmd: /opt/xensource/bin/xe vdi-destroy uuid={{snap}}',
      '*** vdi-export end',
      `*** success: ${file} : ${Math.floor(Number(disk.virtual_size) / 1024 ** 3)}G`,
      `VmBackup vdi-export ${name} - ***Success*** t:{{t:n}}`,
      '************ vm-export= ***************',
      ...mainEnd('Success - S:1 W:0 E:0'),
    ],
    { ...known(ws, cfg), XVDA: String(disk.uuid), OLD: leftover },
  );
});

test("failed export: xe's Error code / Error parameters lines, then `ERROR <cmd>`; the original goes on", async () => {
  const ws = workspace();
  const cfg = ws.writeConfig(['vm-export=DEV-RH7']);
  sim.faults.set({ exportFailAfterBytes: 100_000 });
  const before0 = snapshotUuids(sim);
  const result = await runCli(sim, [cfg]);
  assert.equal(result.code, 2);
  const messages = logMessages(result.stdout);
  assertTranscript(
    originalView(messages),
    [
      ...configPrint({ statusLog: ws.statusLog, vm: ['DEV-RH7'] }),
      ...mainBegin,
      '************ vm-export= ***************',
      ...vmExportUntilExport('DEV-RH7'),
      // run_log_out_wait_rc() logs xe's stderr (merged into stdout): an error code xe has no
      // text for (cli_util.ml; VDI_IO_ERROR as recorded in issue #83), then 'ERROR %s' % cmd
      // and `continue`: no vm-uninstall, no line for the VM's end.
      'Error code: VDI_IO_ERROR',
      'Error parameters: Device I/O errors',
      'ERROR /opt/xensource/bin/xe vm-export uuid={{snap}} filename="{{BACKUPS}}/DEV-RH7/backup-{{stamp}}/DEV-RH7.xva"',
      ...mainEnd('**ERRORS DETECTED** - S:0 W:0 E:1'),
    ],
    known(ws, cfg, 'DEV-RH7'),
  );
  // The block vmbackup adds after the error line: it removes the snapshot the original left.
  const error = messages.findIndex((m) => m.startsWith('ERROR /opt/xensource/bin/xe vm-export '));
  assert.match(messages[error + 1]!, /^4\.cmd: \/opt\/xensource\/bin\/xe vm-uninstall uuid=\S+ force=true$/);
  assert.match(messages.find((m) => FAILED_VM_END.test(m))!, /^VmBackup vm-export DEV-RH7 - \*\*\*ERROR\*\*\* t:0$/);
  assert.deepEqual(
    snapshotUuids(sim).filter((u) => !before0.includes(u)),
    [],
  );

  // --json: the error event names the command as the log line does and carries xe's words.
  const json = await runCli(sim, ['--json', cfg]);
  const events = json.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { type: string; message: string; detail?: string; vm?: string });
  const failed = events.find(
    (e) => e.type === 'error' && e.message.startsWith('ERROR /opt/xensource/bin/xe vm-export '),
  );
  assert.ok(failed, json.stdout);
  assert.equal(failed.vm, 'DEV-RH7');
  assert.equal(failed.detail, 'Error code: VDI_IO_ERROR | Error parameters: Device I/O errors');
  assert.ok(events.some((e) => e.type === 'info' && e.vm === 'DEV-RH7' && e.message === 'Error code: VDI_IO_ERROR'));
  assert.equal(events.at(-1)!.type, 'run-end');
});

test("the N.cmd: text is the original's command string, values as they are (log text only, never run)", () => {
  const hostile = "a\"b $(touch /tmp/x) `id` 'c'";
  assert.equal(
    describeXe(['vm-snapshot', 'vm=U', `new-name-label=RESTORE_${hostile}`]),
    `/opt/xensource/bin/xe vm-snapshot vm=U new-name-label="RESTORE_${hostile}"`,
  );
  assert.equal(
    describeXe(['pool-dump-database', 'file-name=/b/M/p.dump']),
    "/opt/xensource/bin/xe pool-dump-database file-name='/b/M/p.dump'",
  );
  assert.equal(
    describeXe(['vm-export', 'uuid=U', 'filename=/b/v/x.xva.gz', 'compress=true']),
    '/opt/xensource/bin/xe vm-export uuid=U filename="/b/v/x.xva.gz" compress=true',
  );
});

test('xe output lines: stdout then stderr, empty lines kept, snapshots silent unless they fail', () => {
  const ok = { exitCode: 0, stdout: 'a\n\n b \n', stderr: '' };
  assert.deepEqual(xeOutputLines(['vdi-list'], ok), ['a', '', ' b ']);
  assert.deepEqual(
    xeOutputLines(['vm-export'], { exitCode: 1, stdout: '', stderr: 'Error code: X\nError parameters: y\n' }),
    ['Error code: X', 'Error parameters: y'],
  );
  assert.deepEqual(xeOutputLines(['vm-snapshot'], { exitCode: 0, stdout: 'uuid\n', stderr: '' }), []);
  assert.deepEqual(xeOutputLines(['vdi-snapshot'], { exitCode: 1, stdout: '', stderr: 'The SR is full.\n' }), [
    'The SR is full.',
  ]);
  assert.deepEqual(xeOutputLines(['vm-export'], { exitCode: 0, stdout: 'no newline', stderr: '' }), ['no newline']);
});
