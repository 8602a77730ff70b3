// The Backups view's pure parts: the tree from `vmbackup list --json` (client/src/backupsTree.ts),
// the Delete rule (never a VM's newest good backup), the questions before Restore/Delete
// (backupActions.ts) and the runner command lines (backupCommands.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { BackupEntry, BackupListing, FolderVerification, VmBackups } from 'vmbackup-runner/backups/types';
import {
  applyVerification,
  backupState,
  configNode,
  deletionRefusal,
  findBackup,
  newestGoodFolder,
  type BackupItem,
  type BackupsNode,
} from '../../client/src/backupsTree';
import { formatBytes } from '../../client/src/runReport';
import {
  confirmButtons,
  CONFIRM_BUTTONS,
  defaultRestoreName,
  restoreNameProblem,
  srChoices,
} from '../../client/src/backupActions';
import {
  listInvocation,
  parseListing,
  parseVerifyReport,
  restoreInvocation,
  verifyInvocation,
  type InvocationBase,
} from '../../client/src/backupCommands';
import { PASSWORD_ENV, RunnerSettingsError } from '../../client/src/runnerInvocation';

const dir = '/srv/backups/web "01" $(x)';
function entry(time: string, extra: Partial<BackupEntry> = {}): BackupEntry {
  const folder = `backup-2026-03-0${time}-(23:00:00)`;
  return {
    folder,
    path: `${dir}/${folder}`,
    date: `2026-03-0${time}T23:00:00.000Z`,
    kind: 'xva.gz',
    exportFile: { name: 'web.xva.gz', bytes: 3 * 1024 ** 3 },
    bytes: 3 * 1024 ** 3 + 2048,
    successMarkers: ['success'],
    success: true,
    verified: { state: 'unverified' },
    newestSuccessful: false,
    ...extra,
  };
}

function vm(backups: BackupEntry[]): VmBackups {
  return {
    vm: 'web "01" $(x)',
    path: dir,
    backups,
    retention: { kind: 'config', maxBackups: 2 },
    preClean: false,
    otherEntries: [],
  };
}

const web = vm([
  entry('1', { deletedByNextRun: 'retention' }),
  entry('2', { verified: { state: 'good', checked: '12 members, 40 chunks' } }),
  entry('3', { newestSuccessful: true }),
  entry('4', { success: false, successMarkers: [], kind: undefined, exportFile: undefined, bytes: 10 }),
]);
const listing: BackupListing = {
  type: 'backup-list',
  version: 1,
  host: 'local',
  backupDir: '/srv/backups',
  config: '/etc/vmbackup/weekly.cfg',
  retentionNote: 'max_backups from the config',
  verifiedAll: false,
  vms: [web],
  poolDumps: [
    { host: 'xs1', file: 'pool_db_20260301-230000.dump', path: '/x', date: '2026-03-01T23:00:00Z', bytes: 5 },
  ],
  poolDumpNote: 'xe pool-restore-database',
  otherEntries: [],
};
const uri = 'file:///etc/vmbackup/weekly.cfg';
const children = (n: BackupsNode | undefined): BackupsNode[] => (n && 'children' in n ? n.children : []);

test('the tree: config -> VM -> backups newest first with date, kind, size, state and the retention mark', () => {
  const root = configNode(uri, 'weekly.cfg', listing);
  assert.deepEqual([root.label, root.description], ['weekly.cfg', '/srv/backups']);
  const [vmNode, dumps] = children(root);
  assert.equal(vmNode?.label, 'web "01" $(x)');
  assert.match(
    vmNode && 'description' in vmNode ? vmNode.description : '',
    /^4 backups, 1 verified, 1 failed or damaged · keeps 2/,
  );
  const items = children(vmNode) as BackupItem[];
  assert.deepEqual(
    items.map((i) => [i.label, i.description, i.icon, i.state, i.contextValue]),
    [
      [
        '2026-03-04 23:00:00 UTC',
        'no export file · 10 B · failed (no success marker)',
        'warning',
        'failed',
        'backup.deletable',
      ],
      ['2026-03-03 23:00:00 UTC', 'xva.gz · 3.0 GiB · unverified', 'circle-outline', 'unverified', 'backup'],
      ['2026-03-02 23:00:00 UTC', 'xva.gz · 3.0 GiB · good (verified)', 'pass', 'good', 'backup.deletable'],
      [
        '2026-03-01 23:00:00 UTC',
        'xva.gz · 3.0 GiB · unverified · deleted by next run',
        'trash',
        'unverified',
        'backup.deletable',
      ],
    ],
  );
  assert.match(items[3]?.tooltip ?? '', /Retention: deleted by the next successful run \(max_backups\)/);
  assert.match(items[1]?.tooltip ?? '', /Newest good backup: kept/);
  assert.equal(dumps?.label, 'Pool database dumps');
  assert.match(
    children(dumps)[0] && 'description' in children(dumps)[0]!
      ? (children(dumps)[0] as { description: string }).description
      : '',
    /pool database of xs1/,
  );
});

test('Delete never takes the newest good backup: the newest success not proven damaged', () => {
  assert.equal(newestGoodFolder(web), web.backups[2]?.folder);
  assert.match(deletionRefusal(web, web.backups[2]!.folder) ?? '', /newest good backup/);
  assert.equal(deletionRefusal(web, web.backups[0]!.folder), undefined);
  assert.equal(deletionRefusal(web, web.backups[3]!.folder), undefined);
  assert.match(deletionRefusal(web, 'backup-elsewhere') ?? '', /not named like a backup folder/);
  assert.match(deletionRefusal(web, 'backup-1999-01-01-(00:00:00)') ?? '', /not a backup of/);
  // The newest success is found damaged: the next older good one becomes the protected one,
  // and the damaged one may go (the runner's rule; `vmbackup delete` proves the damage again).
  const damaged = vm(
    web.backups.map((b, i) => (i === 2 ? { ...b, verified: { state: 'damaged', reason: 'chunk 3' } } : b)),
  );
  assert.equal(newestGoodFolder(damaged), web.backups[1]?.folder);
  assert.match(deletionRefusal(damaged, web.backups[1]!.folder) ?? '', /newest good/);
  assert.equal(deletionRefusal(damaged, web.backups[2]!.folder), undefined);
  // Only failed backups: nothing is good, so nothing is protected by this rule.
  const failedOnly = vm([entry('1', { success: false, successMarkers: [] })]);
  assert.equal(newestGoodFolder(failedOnly), undefined);
  assert.equal(deletionRefusal(failedOnly, failedOnly.backups[0]!.folder), undefined);
});

test('a verify result updates the item: good, damaged, or an I/O error that proves nothing', () => {
  const result = (path: string, r: Partial<FolderVerification>): FolderVerification => ({
    folder: path,
    vm: 'web',
    success: true,
    result: 'good',
    checked: ['tar: 12 members', 'xva: 40 chunks'],
    ...r,
  });
  const [a, b, c] = web.backups;
  const updated = applyVerification(listing, [
    result(`${a!.path}/`, {}),
    result(b!.path, { result: 'damaged', damage: 'chunk 00000003 checksum' }),
    result(c!.path, { result: 'error', error: 'EACCES' }),
  ]);
  assert.deepEqual(
    updated.vms[0]?.backups.map((x) => x.verified),
    [
      { state: 'good', checked: 'tar: 12 members; xva: 40 chunks' },
      { state: 'damaged', reason: 'chunk 00000003 checksum' },
      { state: 'unverified' },
      { state: 'unverified' },
    ],
  );
  const item = findBackup([configNode(uri, 'w', updated)], uri, b!.path);
  assert.deepEqual([item?.state, item?.icon], ['damaged', 'error']);
  assert.match(item?.tooltip ?? '', /Damaged: chunk 00000003 checksum/);
  assert.equal(backupState({ success: false, verified: { state: 'damaged', reason: 'x' } }), 'damaged');
  // The original listing is unchanged (the view keeps it until the rebuild).
  assert.deepEqual(listing.vms[0]?.backups[1]?.verified, { state: 'good', checked: '12 members, 40 chunks' });
});

test('an empty backup_dir says so; ssh listings name the host; sizes read as people say them', () => {
  const empty = configNode(uri, 'w', { ...listing, vms: [], poolDumps: [], host: 'ssh root@xs1:22' });
  assert.equal(empty.description, '/srv/backups on ssh root@xs1:22');
  assert.equal(children(empty)[0]?.label, 'No backups yet');
  assert.deepEqual([0, 1023, 1024, 1536 * 1024, 250 * 1024 ** 3].map(formatBytes), [
    '0 B',
    '1023 B',
    '1.0 KiB',
    '1.5 MiB',
    '250 GiB',
  ]);
});

test('the dialogs: the default (first) button is never the one that acts; names are checked', () => {
  for (const kind of ['restore', 'healthcheck', 'delete'] as const) {
    const buttons = confirmButtons(kind);
    assert.equal(buttons[0], CONFIRM_BUTTONS[kind].safe);
    assert.notEqual(buttons[0], CONFIRM_BUTTONS[kind].act);
    assert.doesNotMatch(buttons[0]!, /^(Restore|Delete|Run Health Check)$/);
  }
  assert.equal(restoreNameProblem(''), 'The new VM needs a name.');
  assert.equal(restoreNameProblem('a\nb'), 'The name must be one line.');
  assert.equal(restoreNameProblem('web "01" $(x)'), undefined);
  assert.equal(defaultRestoreName('web', '2026-03-02 23:00:00 UTC'), 'web (restored 2026-03-02)');
  assert.deepEqual(
    srChoices(['Local storage', 'NFS']).map((c) => [c.label, c.sr]),
    [
      ['Pool default SR', undefined],
      ['Local storage', 'Local storage'],
      ['NFS', 'NFS'],
    ],
  );
});

const base: InvocationBase = {
  nodePath: '/opt/vscode/code',
  platform: 'linux',
  runnerScript: '/ext/dist/vmbackup.js',
  settings: {
    poolUrl: 'https://xs1',
    certificateFingerprint: 'AB:CD',
    transport: 'ssh',
    sshTarget: 'root@xs1:2222',
    xePath: '/opt/xe',
    extraArgs: ['--concurrency', '2', 'pre_clean=true'],
    env: { LANG: 'C' },
  },
  baseEnv: { PATH: '/usr/bin', [PASSWORD_ENV]: 'leaked-from-parent' },
};
const secret = 'pa$$ `word` $(rm -rf /)';

test("list and verify: the runner with VS Code's Node, --json, the ssh transport of runs, no password anywhere", () => {
  const list = listInvocation(base, '/etc/vmbackup/weekly.cfg');
  assert.equal(list.command, '/opt/vscode/code');
  assert.deepEqual(list.args, [
    '/ext/dist/vmbackup.js',
    'list',
    '--json',
    '--ssh',
    'root@xs1:2222',
    'pre_clean=true',
    '--',
    '/etc/vmbackup/weekly.cfg',
  ]);
  assert.equal(list.cwd, '/etc/vmbackup');
  assert.equal(list.env.ELECTRON_RUN_AS_NODE, '1');
  assert.equal(list.env.LANG, 'C');
  assert.equal(list.env[PASSWORD_ENV], undefined);
  // Windows: environment names ignore case, so an inherited password of any spelling goes.
  const onWindows = listInvocation(
    { ...base, platform: 'win32', baseEnv: { Vmbackup_Password: 'x', Path: 'C:\\bin' } },
    'C:\\cfg\\weekly.cfg',
  );
  assert.deepEqual(
    Object.keys(onWindows.env).filter((k) => k.toUpperCase() === PASSWORD_ENV),
    [],
  );
  assert.equal(onWindows.cwd, 'C:\\cfg');
  const verify = verifyInvocation(base, ['/srv/b/--x/backup-1'], '/etc/vmbackup/weekly.cfg');
  assert.deepEqual(verify.args.slice(1), ['verify', '--json', '--ssh', 'root@xs1:2222', '--', '/srv/b/--x/backup-1']);
  assert.equal(verify.cwd, '/etc/vmbackup');
  assert.equal(verify.stopBy, 'signal');
  assert.throws(
    () => listInvocation({ ...base, settings: { ...base.settings, sshTarget: 'xs1' } }, '/c.cfg'),
    RunnerSettingsError,
  );
});

test('restore and healthcheck: the password only in the environment; name and SR as --flag=value', () => {
  const restore = restoreInvocation(
    base,
    'restore',
    '/srv/b/backup-1',
    { name: '--web $(x)', sr: 'NFS' },
    secret,
    '/etc/vmbackup/weekly.cfg',
  );
  assert.deepEqual(restore.args.slice(1), [
    'restore',
    '--json',
    '--password-env',
    PASSWORD_ENV,
    '--xapi',
    'https://xs1',
    '--xapi-fingerprint',
    'AB:CD',
    '--xe',
    '/opt/xe',
    '--ssh',
    'root@xs1:2222',
    '--name=--web $(x)',
    '--sr=NFS',
    '--',
    '/srv/b/backup-1',
  ]);
  assert.equal(restore.env[PASSWORD_ENV], secret);
  assert.ok(!restore.args.some((a) => a.includes(secret)));
  const health = restoreInvocation(
    base,
    'healthcheck',
    '/srv/b/backup-1',
    { name: 'ignored' },
    secret,
    '/etc/vmbackup/weekly.cfg',
  );
  assert.deepEqual(health.args.slice(1, 2), ['healthcheck']);
  assert.ok(!health.args.some((a) => a.startsWith('--name')));
});

test("the --json reports are read from stdout; without one, the runner's stderr is the message", () => {
  const stdout = `noise\n${JSON.stringify(listing)}\n`;
  const asJson = JSON.parse(JSON.stringify(listing)) as BackupListing;
  assert.deepEqual(parseListing(stdout, ''), asJson);
  assert.deepEqual(parseListing(JSON.stringify(listing, null, 2), ''), asJson);
  assert.throws(() => parseListing('', 'vmbackup: list: /x: no such file\n'), /no such file/);
  assert.throws(() => parseListing('{"type":"other"}', ''), /vmbackup list printed no report/);
  const report = { type: 'backup-verify', version: 1, host: 'local', folders: [], summary: {}, exitCode: 0 };
  assert.deepEqual(parseVerifyReport(JSON.stringify(report), ''), report);
});
