// Beyond one document, over the protocol with a real workspace folder on disk: "Check all
// VmBackup configs" (vmbackup/checkConfigs) publishes diagnostics for configs that are not
// open; Definition / References / Rename across configs; document links. Coverage and VMB047
// through the pure service functions with a pool inventory.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  DefinitionRequest,
  DidChangeWatchedFilesNotification,
  DocumentLinkRequest,
  PrepareRenameRequest,
  ReferencesRequest,
  RenameRequest,
  type Location,
} from 'vscode-languageserver-protocol';
import { parseConfig } from '../../runner/src/config';
import { planSelection } from '../../runner/src/select';
import { Methods, type BackupTargets, type CheckConfigsResult, type CoverageReport } from '../../server/src/protocol';
import { startSimulator, type Simulator } from '../sim/index';
import {
  coverage,
  crossConfigDiagnostics,
  backupIndex,
  looksLikeVmBackupConfig,
} from '../../server/src/service/workspace';
import { applyEdits, ROOT, TestClient } from './harness';
import { poolOf } from './service';

describe('workspace-wide features (protocol)', () => {
  let dir: string;
  let client: TestClient;
  const uriOf = (name: string) => pathToFileURL(join(dir, name)).href;
  const files: Record<string, string> = {
    'nightly.cfg':
      'max_backups=3\nvm-export=web1\nvm-export=db.*\nmax_backups=4\nstatus_log=/var/log/vmbackup/status.log\n',
    'weekend.cfg': '# weekend\nmax_backup=3\nvm-export=web1:2\nexclude=web1\n',
    'NAUbackup/odd.cfg': 'vm-export=PROD*\n',
    'setup.cfg': '[metadata]\nname = demo\nversion = 1\n',
    'notes.cfg': 'colour=blue\nsize=3\n',
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vmbackup-ws-'));
    mkdirSync(join(dir, 'NAUbackup'));
    mkdirSync(join(dir, 'node_modules', 'x'), { recursive: true });
    writeFileSync(join(dir, 'node_modules', 'x', 'ignored.cfg'), 'vm-export=zzz\n');
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    client = new TestClient({ workspaceFolders: [{ uri: pathToFileURL(dir).href, name: 'ws' }] });
    await client.initialize();
  });
  after(async () => {
    await client.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('checks every VmBackup config of the workspace and publishes diagnostics for files not open', async () => {
    const result = (await client.connection.sendRequest(Methods.checkConfigs, {})) as CheckConfigsResult;
    assert.deepEqual(
      result.configs.map((c) => c.uri).sort(),
      [uriOf('NAUbackup/odd.cfg'), uriOf('nightly.cfg'), uriOf('weekend.cfg')].sort(),
    );
    assert.equal(result.skipped, 2, 'setup.cfg and notes.cfg are other formats');
    const weekend = result.configs.find((c) => c.uri === uriOf('weekend.cfg'))!;
    assert.deepEqual([weekend.errors, weekend.warnings, weekend.open], [1, 1, false]);
    const published = await client.waitFor(
      'diagnostics of the unopened weekend.cfg',
      () => client.diagnostics.get(uriOf('weekend.cfg'))?.diagnostics,
    );
    assert.deepEqual(
      published.map((d) => [d.code, d.range.start.line]),
      [
        ['VMB005', 1],
        ['VMB013', 3],
      ],
    );
    const odd = await client.waitFor(
      'diagnostics of NAUbackup/odd.cfg',
      () => client.diagnostics.get(uriOf('NAUbackup/odd.cfg'))?.diagnostics,
    );
    assert.deepEqual(
      odd.map((d) => d.code),
      ['VMB016'],
    );
  });

  it('follows a workspace config that changes or goes away on disk (workspace/didChangeWatchedFiles)', async () => {
    const weekend = uriOf('weekend.cfg');
    const published = client.publishCount.get(weekend) ?? 0;
    writeFileSync(join(dir, 'weekend.cfg'), '# weekend\nmax_backups=3\nexclude=web1\nvm-export=web1:2\n');
    await client.connection.sendNotification(DidChangeWatchedFilesNotification.type, {
      changes: [{ uri: weekend, type: 2 }],
    });
    const fixed = await client.waitFor('weekend.cfg re-published', () =>
      (client.publishCount.get(weekend) ?? 0) > published ? client.diagnostics.get(weekend)!.diagnostics : undefined,
    );
    assert.deepEqual(fixed, []);
    rmSync(join(dir, 'NAUbackup', 'odd.cfg'));
    const odd = uriOf('NAUbackup/odd.cfg');
    await client.connection.sendNotification(DidChangeWatchedFilesNotification.type, {
      changes: [{ uri: odd, type: 3 }],
    });
    await client.waitFor('odd.cfg cleared', () =>
      client.diagnostics.get(odd)?.diagnostics.length === 0 ? true : undefined,
    );
    writeFileSync(join(dir, 'weekend.cfg'), files['weekend.cfg']!);
    writeFileSync(join(dir, 'NAUbackup', 'odd.cfg'), files['NAUbackup/odd.cfg']!);
    await client.connection.sendNotification(DidChangeWatchedFilesNotification.type, {
      changes: [
        { uri: weekend, type: 2 },
        { uri: odd, type: 1 },
      ],
    });
    await client.waitFor('odd.cfg back', () => (client.diagnostics.get(odd)?.diagnostics.length ? true : undefined));
  });

  it('checks only the files the client names when it names them', async () => {
    const result = (await client.connection.sendRequest(Methods.checkConfigs, {
      uris: [uriOf('notes.cfg')],
    })) as CheckConfigsResult;
    assert.deepEqual(
      result.configs.map((c) => [c.uri, c.errors]),
      [[uriOf('notes.cfg'), 2]],
    );
  });

  it('finds every line in every config that backs up a VM, and goes from a repeated setting to the first', async () => {
    const nightly = uriOf('nightly.cfg');
    await client.open(nightly, files['nightly.cfg']!);
    await client.diagnosticsFor(nightly);
    const refs = (await client.connection.sendRequest(ReferencesRequest.type, {
      textDocument: { uri: nightly },
      position: { line: 1, character: 12 },
      context: { includeDeclaration: true },
    })) as Location[];
    assert.deepEqual(
      refs.map((l) => [l.uri, l.range.start.line]).sort(),
      [
        [nightly, 1],
        [uriOf('weekend.cfg'), 2],
      ].sort(),
    );
    const definition = (await client.connection.sendRequest(DefinitionRequest.type, {
      textDocument: { uri: nightly },
      position: { line: 3, character: 2 },
    })) as Location[];
    assert.deepEqual(
      definition.map((l) => [l.uri, l.range.start.line]),
      [[nightly, 0]],
    );
  });

  it('renames a plain VM name in every config (text only), not regexes', async () => {
    const nightly = uriOf('nightly.cfg');
    const prepared = await client.connection.sendRequest(PrepareRenameRequest.type, {
      textDocument: { uri: nightly },
      position: { line: 1, character: 11 },
    });
    assert.deepEqual(prepared, {
      range: { start: { line: 1, character: 10 }, end: { line: 1, character: 14 } },
      placeholder: 'web1',
    });
    assert.equal(
      await client.connection.sendRequest(PrepareRenameRequest.type, {
        textDocument: { uri: nightly },
        position: { line: 2, character: 11 },
      }),
      null,
      'a regex',
    );
    const edit = await client.connection.sendRequest(RenameRequest.type, {
      textDocument: { uri: nightly },
      position: { line: 1, character: 11 },
      newName: 'web-01',
    });
    const changes = edit!.changes!;
    assert.equal(applyEdits(files['nightly.cfg']!, changes[nightly]!).split('\n')[1], 'vm-export=web-01');
    assert.equal(
      applyEdits(files['weekend.cfg']!, changes[uriOf('weekend.cfg')]!),
      '# weekend\nmax_backup=3\nvm-export=web-01:2\nexclude=web-01\n',
    );
  });

  it('links status_log and backup_dir to local files, not over ssh without a target (links.test.ts)', async () => {
    const nightly = uriOf('nightly.cfg');
    const links = await client.connection.sendRequest(DocumentLinkRequest.type, { textDocument: { uri: nightly } });
    assert.deepEqual(
      links?.map((l) => [l.range.start.line, l.target]),
      [[4, 'file:///var/log/vmbackup/status.log']],
    );
    // New settings re-validate the open documents: a new publish says the server has them.
    const published = client.publishCount.get(nightly) ?? 0;
    await client.changeSettings({ runner: { transport: 'ssh' } });
    await client.waitFor('re-validation under the ssh setting', () =>
      (client.publishCount.get(nightly) ?? 0) > published ? true : undefined,
    );
    assert.deepEqual(
      await client.connection.sendRequest(DocumentLinkRequest.type, { textDocument: { uri: nightly } }),
      [],
    );
    await client.changeSettings({});
  });

  it('answers vmbackup/coverage with null without a pool inventory', async () => {
    assert.equal(await client.connection.sendRequest(Methods.coverage, {}), null);
  });
});

describe('pool coverage and VMB047 (service)', () => {
  const pool = poolOf(['web1', 'web2', 'db1', 'lonely']);
  const configs = [
    { uri: 'file:///c/nightly.cfg', config: parseConfig('vm-export=web.*\nvm-export=db1\n') },
    { uri: 'file:///c/weekend.cfg', config: parseConfig('vdi-export=web1\nmetadata-export=db1\n') },
  ];

  it('says which config backs up which VM, which VM none backs up, which two back up', () => {
    const report = coverage(configs, pool);
    const byName = new Map(report.vms.map((v) => [v.name, v]));
    assert.deepEqual(byName.get('web1')!.backedUpBy, [
      { uri: 'file:///c/nightly.cfg', line: 0, list: 'vm-export' },
      { uri: 'file:///c/weekend.cfg', line: 0, list: 'vdi-export' },
    ]);
    assert.deepEqual(report.notBackedUp, [byName.get('lonely')!.uuid]);
    // db1's second config only exports metadata: not a second backup.
    assert.deepEqual(report.backedUpTwice, [byName.get('web1')!.uuid]);
  });

  it('VMB047 on the line of a VM another config backs up too', () => {
    const index = backupIndex(configs, pool);
    const plan = planSelection(configs[0]!.config, pool);
    const d = crossConfigDiagnostics('file:///c/nightly.cfg', configs[0]!.config, plan, index);
    assert.deepEqual(
      d.map((x) => [x.code, x.severity, x.range.start.line]),
      [['VMB047', 'information', 0]],
    );
    assert.match(d[0]!.message, /'web1' is also backed up by weekend\.cfg line 1/);
  });

  it('detects the configs that most need checking, not other .cfg formats', () => {
    assert.ok(looksLikeVmBackupConfig('/a/b.cfg', 'max_backup=3\nvm-export=PROD*\n'));
    assert.ok(looksLikeVmBackupConfig('/a/NAUbackup/b.cfg', 'anything\n'));
    assert.ok(!looksLikeVmBackupConfig('/a/setup.cfg', '[metadata]\nname = demo\n'));
    assert.ok(!looksLikeVmBackupConfig('/a/game.cfg', 'bind x jump\nsensitivity=3\nfov=90\n'));
  });
});

describe('coverage and VMB047 over the protocol (weekend pool of the simulator)', () => {
  let dir: string;
  let sim: Simulator;
  let client: TestClient;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vmbackup-ws-pool-'));
    writeFileSync(join(dir, 'nightly.cfg'), 'vm-export=PROD-WinSvr\nvm-export=DEV-RH.*\n');
    writeFileSync(join(dir, 'weekend.cfg'), 'vm-export=PROD-.*\nexclude=PROD-ubuntu12-benchmark\n');
    sim = await startSimulator({ fixture: join(ROOT, 'test/sim/fixtures/weekend.json') });
    client = new TestClient({
      settings: { pool: { url: sim.url, user: 'root' } },
      workspaceFolders: [{ uri: pathToFileURL(dir).href, name: 'ws' }],
    });
    await client.initialize();
    await client.connection.sendRequest(Methods.setPoolPassword, { password: sim.password });
    await client.waitForPoolStatus('connected', (s) => s.state === 'connected');
  });
  after(async () => {
    await client.dispose();
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports which config backs up which VM, the VMs none backs up, and those two configs back up', async () => {
    const report = (await client.connection.sendRequest(Methods.coverage, {})) as CoverageReport;
    const nightly = pathToFileURL(join(dir, 'nightly.cfg')).href;
    const weekend = pathToFileURL(join(dir, 'weekend.cfg')).href;
    const byName = new Map(report.vms.map((v) => [v.name, v]));
    assert.deepEqual(
      byName.get('PROD-WinSvr')!.backedUpBy.map((b) => [b.uri, b.line]),
      [
        [nightly, 0],
        [weekend, 0],
      ],
    );
    const twice = report.vms.filter((v) => report.backedUpTwice.includes(v.uuid)).map((v) => v.name);
    assert.deepEqual(twice.sort(), ['PROD-WinSvr']);
    const none = report.vms.filter((v) => report.notBackedUp.includes(v.uuid)).map((v) => v.name);
    assert.ok(none.includes('PROD-ubuntu12-benchmark') && none.includes('TEMP-scratch1'), none.join(', '));
    assert.ok(!none.includes('DEV-RH6'));
  });

  it("answers vmbackup/backupTargets (the Backups view) with the configs and the SRs of the pool's disks", async () => {
    const targets = (await client.connection.sendRequest(Methods.backupTargets)) as BackupTargets;
    assert.deepEqual(
      [...targets.configs].sort(),
      ['nightly.cfg', 'weekend.cfg'].map((name) => pathToFileURL(join(dir, name)).href),
    );
    assert.deepEqual(targets.srNames, ['Local storage xenserver2']);
  });

  it('shows VMB047 on the line of a VM another workspace config backs up too', async () => {
    const nightly = pathToFileURL(join(dir, 'nightly.cfg')).href;
    await client.open(nightly, 'vm-export=PROD-WinSvr\nvm-export=DEV-RH.*\n');
    const diagnostics = await client.waitFor('VMB047', () => {
      const d = client.diagnostics.get(nightly);
      return d && d.version === client.version(nightly) && d.diagnostics.some((x) => x.code === 'VMB047')
        ? d
        : undefined;
    });
    const cross = diagnostics.diagnostics.filter((d) => d.code === 'VMB047');
    assert.deepEqual(
      cross.map((d) => [d.range.start.line, d.severity]),
      [[0, 3]],
    );
    assert.match(cross[0]!.message as string, /'PROD-WinSvr' is also backed up by weekend\.cfg line 1/);
  });
});
