// The extension in a real VS Code: the packaged .vsix installed into code-server, driven through
// Chromium like a person would, against the XenServer pool simulator and the simulator's `xe`.
// Every assertion reads the UI (status bar, editor tokens, Problems panel, hover, output panel,
// notifications, dialogs) or, for the backup, the files on disk. Screenshots of every step go
// to test-artifacts/e2e/. First run installs Node 24, code-server and chromium (~4 min).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import type { Simulator } from '../sim/index';
import { startCodeServer, type CodeServer } from './codeServer';
import { prepareE2e, teardownE2e } from './environment';
import { launchBrowser, Workbench } from './workbench';

/** Runs a step; on failure leaves a screenshot of the workbench beside the others. */
function step(name: string, body: () => Promise<void>): () => Promise<void> {
  return async () => {
    try {
      await body();
    } catch (err) {
      await wb?.screenshot(`FAILED-${name}`).catch(() => undefined);
      throw err;
    }
  };
}

let sim: Simulator;
let codeServer: CodeServer;
let browser: Browser;
let wb: Workbench;
let home: string;
let vsix: string;
let backupDir: string;

const WEEKLY_LINES = [
  '# Weekly backups of the simulated demo pool',
  'max_backups=3',
  'BACKUP_DIR_LINE',
  'STATUS_LOG_LINE',
  'vdi_export_format=raw',
  '',
  'exclude=PROD-mail',
  'vm-exprot=DEV-.*',
  'vm-export=PROD-web.*:2',
  'vm-export=PROD-db01',
];
const TYPO_LINE = 8;
const REGEX_LINE = 9;
/** The VMs weekly.cfg backs up once the typo is fixed (demo fixture). */
const EXPECTED_VMS = ['DEV-build01', 'DEV-test01', 'PROD-db01', 'PROD-web01', 'PROD-web02'];

before(async () => {
  ({ sim, vsix, home } = await prepareE2e('vmbackup-e2e-'));
  const workspace = join(home, 'workspace');
  backupDir = join(home, 'BACKUPS');
  mkdirSync(join(workspace, 'VmBackup'), { recursive: true });
  mkdirSync(join(workspace, 'etc'), { recursive: true });
  mkdirSync(backupDir);
  const weekly = WEEKLY_LINES.map((line) =>
    line === 'BACKUP_DIR_LINE' ? `backup_dir=${backupDir}` : line === 'STATUS_LOG_LINE' ? `status_log=${join(home, 'status.log')}` : line,
  );
  writeFileSync(join(workspace, 'VmBackup', 'weekly.cfg'), weekly.join('\n') + '\n');
  writeFileSync(join(workspace, 'setup.cfg'), '[metadata]\nname = example\nversion = 1.0\n\n[options]\npackages = find:\n');
  writeFileSync(join(workspace, 'etc', 'nightly.cfg'), '# detected by content\nmax_backups=2\nvm-export=PROD-db01\n');
  codeServer = await startCodeServer({
    workspace,
    vsix,
    settings: { 'vmbackup.pool.url': sim.url, 'vmbackup.runner.xePath': sim.xePath },
  });
  browser = await launchBrowser();
  wb = await Workbench.open(browser, codeServer.workspaceUrl);
});

after(() => teardownE2e({ browser, codeServer, sim, home, vsix }));

test('weekly.cfg in a VmBackup/ folder opens as a VmBackup config, with highlighting', { timeout: 120_000 }, step('language', async () => {
  await wb.openFile('weekly.cfg');
  await wb.statusBarItem('status.editor.mode').filter({ hasText: 'VmBackup config' }).waitFor({ timeout: 30_000 });
  assert.equal(await wb.languageMode(), 'VmBackup config');
  // Tokens are coloured by the grammar: the key, the `=`, the regex and its `.*` differ.
  await wb.editorLine(REGEX_LINE).locator('span > span', { hasText: '.' }).first().waitFor();
  const tokens = await wb.tokenColors(REGEX_LINE);
  const color = (text: string) => tokens.find((t) => t.text === text)?.color;
  assert.ok(color('vm-export'), JSON.stringify(tokens));
  assert.notEqual(color('vm-export'), color('='), JSON.stringify(tokens));
  assert.notEqual(color('PROD-web'), color('vm-export'), JSON.stringify(tokens));
  assert.notEqual(color('*'), color('PROD-web'), JSON.stringify(tokens));
  await wb.screenshot('01-weekly-cfg-vmbackup-language');
}));

test('setup.cfg keeps its own language (Properties)', { timeout: 60_000 }, step('setup-cfg', async () => {
  await wb.openFile('setup.cfg');
  await wb.page.waitForTimeout(1500); // give content detection its chance to (wrongly) act
  assert.equal(await wb.languageMode(), 'Properties');
  await wb.screenshot('02-setup-cfg-untouched');
}));

test('a .cfg elsewhere that clearly is a VmBackup config is switched by content detection', { timeout: 60_000 }, step('detection', async () => {
  await wb.openFile('nightly.cfg');
  await wb.statusBarItem('status.editor.mode').filter({ hasText: 'VmBackup config' }).waitFor({ timeout: 20_000 });
}));

test('a language the user picks for a detected file is kept (Change Language Mode)', { timeout: 60_000 }, step('user-language', async () => {
  await wb.openFile('nightly.cfg');
  await wb.statusBarItem('status.editor.mode').filter({ hasText: 'VmBackup config' }).waitFor({ timeout: 20_000 });
  await wb.runCommand('Change Language Mode');
  const widget = wb.page.locator('.quick-input-widget');
  await widget.locator('input.input').fill('Properties');
  await widget.locator('.quick-input-list .monaco-list-row', { hasText: /^Properties/ }).first().click();
  await wb.statusBarItem('status.editor.mode').filter({ hasText: 'Properties' }).waitFor({ timeout: 20_000 });
  // Content detection sees the language change (VS Code reports it as close + open) and must
  // not switch the file back although its content clearly is a VmBackup config.
  await wb.page.waitForTimeout(2000);
  assert.equal(await wb.languageMode(), 'Properties');
}));

test('a typo in a key shows in the Problems panel with the right message', { timeout: 60_000 }, step('problems', async () => {
  await wb.openFile('weekly.cfg');
  const panel = await wb.openProblems();
  const problem = panel.locator('.monaco-list-row', { hasText: "Unknown key 'vm-exprot' - did you mean 'vm-export'?" });
  await problem.first().waitFor({ timeout: 30_000 });
  assert.match(await problem.first().innerText(), /\[Ln 8, Col 1\]/);
  await wb.screenshot('03-problems-panel-typo');
}));

test('after setting the pool password, hovering a regex lists the simulator\'s VMs it selects', { timeout: 120_000 }, step('hover', async () => {
  await wb.runCommand('VmBackup: Set Pool Password');
  await wb.answerInputBox(/Password for root at/, sim.password);
  // The language status shows the live pool once the server has connected.
  const status = wb.statusBarItem('status.languageStatus');
  assert.match(await wb.waitForAttribute(status, 'aria-label', /Pool: 8 VMs/), /Pool: 8 VMs/);
  await wb.page.keyboard.press('Escape');
  const hover = await wb.hover(REGEX_LINE, 'PROD-web');
  await hover.filter({ hasText: 'PROD-web01' }).waitFor({ timeout: 20_000 });
  const text = await hover.innerText();
  assert.match(text, /PROD-web01/);
  assert.match(text, /PROD-web02/);
  assert.doesNotMatch(text, /PROD-db01/);
  await wb.screenshot('04-hover-regex-vms');
  await wb.page.mouse.move(5, 5);
}));

test('the quick fix for the typo applies', { timeout: 60_000 }, step('quick-fix', async () => {
  const menu = await wb.openQuickFix(TYPO_LINE, 'vm-exprot');
  const action = menu.locator('.monaco-list-row', { hasText: "Change to 'vm-export'" }).first();
  await action.waitFor({ timeout: 20_000 });
  await wb.screenshot('05-quick-fix-menu');
  await action.click();
  await wb.editorLine(TYPO_LINE).filter({ hasText: 'vm-export=DEV-.*' }).waitFor({ timeout: 10_000 });
  await wb.page.keyboard.press('Control+S');
  const panel = await wb.openProblems();
  await panel.locator('.monaco-list-row', { hasText: 'vm-exprot' }).first().waitFor({ state: 'detached', timeout: 20_000 });
  await wb.screenshot('05-quick-fix-applied');
}));

test('Run Preview streams the runner into the VmBackup output channel and ends with the summary', { timeout: 120_000 }, step('preview', async () => {
  await wb.openFile('weekly.cfg');
  await wb.runCommand('VmBackup: Run Preview');
  // The summary, not the progress notification ("VmBackup Preview: starting…").
  const done = wb.notification(/VmBackup Preview: .*preview ended/);
  await done.waitFor({ timeout: 60_000 });
  assert.match(await done.innerText(), /SUCCESS preview of parameters|VmBackup preview ended/);
  await wb.runCommand('View: Toggle Maximized Panel');
  await wb.page.locator('.panel .output-view .view-line', { hasText: 'Preview:' }).last().waitFor({ timeout: 20_000 });
  const output = await wb.outputText();
  assert.match(output, /vm-export: DEV-build01, DEV-test01, PROD-db01, PROD-web01:2, PROD-web02:2/);
  assert.match(output, /── Preview: /);
  await wb.screenshot('06-run-preview-output');
  await wb.runCommand('View: Toggle Maximized Panel');
  // The output channel keeps everything, in the order the runner sent it.
  const channel = codeServer.readLogs('VmBackup.log').join('\n');
  const loaded = channel.indexOf('VmBackup config loaded from: weekly.cfg');
  const success = channel.indexOf('SUCCESS preview of parameters');
  assert.ok(loaded >= 0 && success > loaded, channel.slice(-2000));
}));

test('Run Backup confirms VM count and target, then writes the backup tree to disk', { timeout: 240_000 }, step('backup', async () => {
  await wb.openFile('weekly.cfg');
  await wb.runCommand('VmBackup: Run Backup');
  const dialog = wb.dialog();
  await dialog.waitFor({ timeout: 60_000 });
  const question = await dialog.innerText();
  assert.match(question, new RegExp(`Back up 5 VMs to ${backupDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} on this machine\\?`));
  assert.match(question, /PROD-web01/);
  await wb.screenshot('07-run-backup-confirmation');
  await dialog.locator('a.monaco-button, .monaco-button', { hasText: 'Run Backup' }).first().click();
  // The progress notification names the VM being backed up: `DEV-build01 (1/5) · export · …`.
  const progress = wb.notification(/\(\d\/5\)/);
  await progress.waitFor({ timeout: 30_000 });
  await wb.screenshot('08-run-backup-progress');
  const summary = wb.notification(/Backup: 5 succeeded, 0 with warnings, 0 failed/);
  await summary.waitFor({ timeout: 180_000 });
  await wb.screenshot('09-run-backup-done');
  for (const vm of EXPECTED_VMS) {
    const vmDir = join(backupDir, vm);
    const backups = readdirSync(vmDir).filter((name) => name.startsWith('backup-'));
    assert.equal(backups.length, 1, `${vm}: ${backups.join(', ')}`);
    const folder = join(vmDir, backups[0]!);
    assert.ok(existsSync(join(folder, 'success')), `${folder}/success`);
    assert.ok(existsSync(join(folder, `${vm}.xva`)), `${folder}/${vm}.xva`);
    assert.ok(existsSync(join(folder, 'vm-metadata.xml')), `${folder}/vm-metadata.xml`);
  }
  assert.deepEqual(readdirSync(backupDir).sort(), EXPECTED_VMS);
  assert.match(readFileSync(join(home, 'status.log'), 'utf8'), /end,SUCCESS,S:5 W:0 E:0/);
}));

test('Stop during a backup: the runner is interrupted, removes its snapshot and leaves no partial backup', { timeout: 240_000 }, step('stop', async () => {
  const snapshotNames = () =>
    sim.state.entries('VM').filter(([, vm]) => vm.is_a_snapshot === true).map(([, vm]) => String(vm.name_label)).sort();
  const snapshotsBefore = snapshotNames(); // the fixture's own snapshots (e.g. "PROD-mail before patch")
  sim.faults.set({ exportBytesPerSecond: 500_000 }); // a slow pool: the first export takes seconds
  try {
    await wb.openFile('weekly.cfg');
    await wb.runCommand('VmBackup: Run Backup');
    const dialog = wb.dialog();
    await dialog.waitFor({ timeout: 60_000 });
    await dialog.locator('.monaco-button', { hasText: 'Run Backup' }).first().click();
    await wb.notification(/\(1\/5\) · export/).waitFor({ timeout: 60_000 });
    await wb.runCommand('VmBackup: Stop');
    const summary = wb.notification(/Backup \(stopped\)/);
    await summary.waitFor({ timeout: 120_000 });
    await wb.screenshot('10-stop-during-backup');
    assert.deepEqual(snapshotNames(), snapshotsBefore);
    assert.ok(!snapshotNames().some((name) => name.startsWith('RESTORE_')));
    for (const vm of readdirSync(backupDir)) {
      for (const backup of readdirSync(join(backupDir, vm))) {
        assert.ok(existsSync(join(backupDir, vm, backup, 'success')), `partial backup left behind: ${vm}/${backup}`);
      }
    }
  } finally {
    sim.faults.reset();
  }
}));

test('the vmbackup task type runs a preview from Tasks: Run Task, in a terminal', { timeout: 120_000 }, step('task', async () => {
  await wb.openFile('weekly.cfg');
  await wb.runCommand('Tasks: Run Task');
  const widget = wb.page.locator('.quick-input-widget');
  await widget.locator('.quick-input-list .monaco-list-row', { hasText: 'vmbackup' }).first().click();
  await widget.locator('.quick-input-list .monaco-list-row', { hasText: 'preview VmBackup/weekly.cfg' }).first().click();
  const terminal = wb.page.locator('.terminal-wrapper.active .xterm-rows, .terminal-wrapper .xterm-rows').last();
  await terminal.filter({ hasText: 'preview ended' }).waitFor({ timeout: 60_000 });
  const text = (await terminal.innerText()).replace(/\u00a0/g, ' ');
  assert.match(text, /vm-export: DEV-build01, DEV-test01, PROD-db01, PROD-web01:2, PROD-web02:2/);
  assert.match(text, /── Preview: VmBackup preview ended - Success/);
  await wb.screenshot('11-task-preview-terminal');
}));
