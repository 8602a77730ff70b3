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
/** The row of the `vmbackup` task type in Tasks: Run Task (recently used tasks read `vmbackup: …`). */
const TASK_TYPE_ROW = { hasText: 'vmbackup', hasNotText: ':' };
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
    line === 'BACKUP_DIR_LINE'
      ? `backup_dir=${backupDir}`
      : line === 'STATUS_LOG_LINE'
        ? `status_log=${join(home, 'status.log')}`
        : line,
  );
  writeFileSync(join(workspace, 'VmBackup', 'weekly.cfg'), weekly.join('\n') + '\n');
  writeFileSync(
    join(workspace, 'setup.cfg'),
    '[metadata]\nname = example\nversion = 1.0\n\n[options]\npackages = find:\n',
  );
  writeFileSync(join(workspace, 'etc', 'nightly.cfg'), '# detected by content\nmax_backups=2\nvm-export=PROD-db01\n');
  writeFileSync(join(workspace, 'etc', 'typo.cfg'), 'max_backup=3\nvm-export=PROD-db01\n');
  // Never opened: only "Check All VmBackup Configs" brings its problem to the Problems panel.
  writeFileSync(join(workspace, 'etc', 'unopened.vmbackup.cfg'), 'max_backups=2\nvm-export=PROD-[\n');
  writeFileSync(
    join(workspace, 'etc', 'close.cfg'),
    '[jobs]\nmax_backups=2\nbackup_dir=/srv/backups\nvm-export=PROD-db01\n',
  );
  codeServer = await startCodeServer({
    workspace,
    vsix,
    settings: { 'vmbackup.pool.url': sim.url, 'vmbackup.runner.xePath': sim.xePath },
  });
  browser = await launchBrowser();
  wb = await Workbench.open(browser, codeServer.workspaceUrl);
});

after(() => teardownE2e({ browser, codeServer, sim, home, vsix }));

/** Waits until the VmBackup output channel's log file (flushed by VS Code) matches. */
async function waitForLog(pattern: RegExp, timeout = 30_000): Promise<string> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const text = codeServer.readLogs('VmBackup.log').join('\n');
    if (pattern.test(text)) return text;
    if (Date.now() > deadline) throw new Error(`the VmBackup log never matched ${pattern}:\n${text.slice(-2000)}`);
    await wb.page.waitForTimeout(250);
  }
}

test(
  'weekly.cfg in a VmBackup/ folder opens as a VmBackup config, with highlighting',
  { timeout: 120_000 },
  step('language', async () => {
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
  }),
);

test(
  'setup.cfg keeps its own language (Properties)',
  { timeout: 60_000 },
  step('setup-cfg', async () => {
    await wb.openFile('setup.cfg');
    // Content detection has looked at the file (a positive signal, not a pause) and kept it.
    await waitForLog(/setup\.cfg is not a VmBackup config \(on open\): it stays properties/);
    assert.equal(await wb.languageMode(), 'Properties');
    await wb.screenshot('02-setup-cfg-untouched');
  }),
);

test(
  'a .cfg elsewhere that clearly is a VmBackup config is switched by content detection',
  { timeout: 60_000 },
  step('detection', async () => {
    await wb.openFile('nightly.cfg');
    await wb.statusBarItem('status.editor.mode').filter({ hasText: 'VmBackup config' }).waitFor({ timeout: 20_000 });
  }),
);

test(
  'a .cfg with a near-miss key is detected and shows the typo; one that looks close is offered',
  { timeout: 90_000 },
  step('near-miss', async () => {
    await wb.openFile('typo.cfg');
    await wb.statusBarItem('status.editor.mode').filter({ hasText: 'VmBackup config' }).waitFor({ timeout: 20_000 });
    const panel = await wb.openProblems();
    await panel
      .locator('.monaco-list-row', { hasText: "Unknown key 'max_backup' - did you mean 'max_backups'?" })
      .first()
      .waitFor({ timeout: 30_000 });
    await wb.openFile('close.cfg');
    const offer = wb.notification(/close\.cfg looks like a VmBackup config/);
    await offer.waitFor({ timeout: 20_000 });
    assert.equal(await wb.languageMode(), 'Properties');
    const open = offer.locator('.monaco-button', { hasText: 'Open as VmBackup config' });
    await open.waitFor({ state: 'visible' });
    await wb.page.mouse.move(5, 5);
    await wb.screenshot('15-open-as-vmbackup-config', { publish: true });
    await open.click();
    await wb.statusBarItem('status.editor.mode').filter({ hasText: 'VmBackup config' }).waitFor({ timeout: 20_000 });
  }),
);

test(
  'a language the user picks for a detected file is kept (Change Language Mode)',
  { timeout: 60_000 },
  step('user-language', async () => {
    await wb.openFile('nightly.cfg');
    await wb.statusBarItem('status.editor.mode').filter({ hasText: 'VmBackup config' }).waitFor({ timeout: 20_000 });
    await wb.runCommand('Change Language Mode');
    const widget = wb.page.locator('.quick-input-widget');
    await widget.locator('input.input').fill('Properties');
    await widget
      .locator('.quick-input-list .monaco-list-row', { hasText: /^Properties/ })
      .first()
      .click();
    await wb.statusBarItem('status.editor.mode').filter({ hasText: 'Properties' }).waitFor({ timeout: 20_000 });
    // Content detection sees the language change (VS Code reports it as close + open) and must
    // not switch the file back although its content clearly is a VmBackup config.
    await waitForLog(/nightly\.cfg set to properties by the user; detection leaves it alone/);
    assert.equal(await wb.languageMode(), 'Properties');
  }),
);

test(
  'a typo in a key shows in the Problems panel with the right message',
  { timeout: 60_000 },
  step('problems', async () => {
    await wb.openFile('weekly.cfg');
    const panel = await wb.openProblems();
    const problem = panel.locator('.monaco-list-row', {
      hasText: "Unknown key 'vm-exprot' - did you mean 'vm-export'?",
    });
    await problem.first().waitFor({ timeout: 30_000 });
    assert.match(await problem.first().innerText(), /\[Ln 8, Col 1\]/);
    await wb.screenshot('03-problems-panel-typo', { publish: true });
  }),
);

test(
  'a diagnostic code links to the diagnostics reference inside the extension, opened in VS Code',
  { timeout: 60_000 },
  step('docs-link', async () => {
    await wb.openFile('weekly.cfg');
    const panel = await wb.openProblems();
    const row = panel.locator('.monaco-list-row', { hasText: "Unknown key 'vm-exprot'" }).first();
    await row.waitFor({ timeout: 30_000 });
    const link = row.locator('a, .monaco-link, .code-link', { hasText: 'VMB005' }).first();
    await link.waitFor({ timeout: 10_000 });
    await link.click();
    // The bundled docs/diagnostics.md: no network, nothing unpublished.
    await wb.page.locator('.tab.active[aria-label^="diagnostics.md"]').waitFor({ timeout: 20_000 });
    await wb.page.locator('.editor-instance .view-lines', { hasText: 'VMB005' }).first().waitFor({ timeout: 10_000 });
    await wb.screenshot('21-diagnostic-docs-link', { publish: true });
    await wb.page.keyboard.press('Control+W');
  }),
);

test(
  "after setting the pool password, hovering a regex lists the simulator's VMs it selects",
  { timeout: 120_000 },
  step('hover', async () => {
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
    await wb.screenshot('04-hover-regex-vms', { publish: true });
    await wb.page.mouse.move(5, 5);
  }),
);

test(
  'the quick fix for the typo applies',
  { timeout: 60_000 },
  step('quick-fix', async () => {
    const menu = await wb.openQuickFix(TYPO_LINE, 'vm-exprot');
    const action = menu.locator('.monaco-list-row', { hasText: "Change to 'vm-export'" }).first();
    await action.waitFor({ timeout: 20_000 });
    await wb.screenshot('05-quick-fix-menu', { publish: true });
    await action.click();
    await wb.editorLine(TYPO_LINE).filter({ hasText: 'vm-export=DEV-.*' }).waitFor({ timeout: 10_000 });
    await wb.page.keyboard.press('Control+S');
    const panel = await wb.openProblems();
    await panel
      .locator('.monaco-list-row', { hasText: 'vm-exprot' })
      .first()
      .waitFor({ state: 'detached', timeout: 20_000 });
    await wb.screenshot('05-quick-fix-applied');
  }),
);

test(
  'Enter after a complete value starts a new line (completion does not eat it)',
  { timeout: 150_000 },
  step('completion-enter', async () => {
    await wb.openFile('weekly.cfg');
    await wb.editorLine(REGEX_LINE + 1).click();
    await wb.page.keyboard.press('End');
    await wb.page.keyboard.press('Enter');
    // Typed like a person, so completion has every chance to open on the complete VM name.
    await wb.page.keyboard.type('vm-export=PROD-db01', { delay: 60 });
    await wb.page.keyboard.press('Enter');
    await wb.page.keyboard.type('# next line', { delay: 20 });
    await wb
      .editorLine(REGEX_LINE + 3)
      .filter({ hasText: '# next line' })
      .waitFor({ timeout: 30_000 });
    // Two lines, not merged (the rendered line also holds the inlay hint "→ 1 VM", so compare
    // without the hint's text).
    const typed = (await wb.editorLine(REGEX_LINE + 2).innerText()).replace(/\u00a0/g, ' ');
    assert.doesNotMatch(typed, /# next line/);
    assert.match(typed.replace(/→.*?VMs?|→ [^A-Za-z]*V…/g, ''), /^vm-export=/);
    assert.doesNotMatch(await wb.editorLine(REGEX_LINE + 3).innerText(), /PROD/);
    await wb.screenshot('20-completion-enter-new-line', { publish: true });
    await wb.runCommand('File: Revert File');
    // A generous cap for a positive signal: on a loaded machine the revert can take a while.
    await wb
      .editorLine(REGEX_LINE + 3)
      .filter({ hasText: '# next line' })
      .waitFor({ state: 'detached', timeout: 45_000 });
    assert.equal(
      readFileSync(join(home, 'workspace', 'VmBackup', 'weekly.cfg'), 'utf8').split('\n').length,
      WEEKLY_LINES.length + 1,
    );
  }),
);

test(
  'Run Preview streams the runner into the VmBackup output channel and ends with the summary',
  { timeout: 120_000 },
  step('preview', async () => {
    await wb.openFile('weekly.cfg');
    await wb.runCommand('VmBackup: Run Preview');
    // The summary, not the progress notification ("VmBackup Preview: starting…").
    const done = wb.notification(/VmBackup Preview: .*preview ended/);
    await done.waitFor({ timeout: 60_000 });
    assert.match(await done.innerText(), /SUCCESS preview of parameters|VmBackup preview ended/);
    await wb.runCommand('View: Toggle Maximized Panel');
    await wb.page
      .locator('.panel .output-view .view-line', { hasText: 'Preview:' })
      .last()
      .waitFor({ timeout: 20_000 });
    const output = await wb.outputText();
    assert.match(output, /vm-export: DEV-build01, DEV-test01, PROD-db01, PROD-web01:2, PROD-web02:2/);
    assert.match(output, /── Preview: /);
    await wb.screenshot('06-run-preview-output', { publish: true });
    await wb.runCommand('View: Toggle Maximized Panel');
    // The output channel keeps everything, in the order the runner sent it.
    const channel = await waitForLog(/SUCCESS preview of parameters/);
    // The original names the config as given on the command line (here the full path).
    const loaded = channel.search(/VmBackup config loaded from: \S*weekly\.cfg/);
    const success = channel.indexOf('SUCCESS preview of parameters');
    assert.ok(loaded >= 0 && success > loaded, channel.slice(-2000));
  }),
);

test(
  'Check All VmBackup Configs lists the problems of configs that are not open',
  { timeout: 90_000 },
  step('check-all', async () => {
    await wb.runCommand('VmBackup: Check All VmBackup Configs');
    const summary = wb.notification(/Checked \d+ VmBackup configs?: .*listed in Problems/);
    await summary.waitFor({ timeout: 60_000 });
    const panel = await wb.openProblems();
    await panel.locator('.monaco-list-row', { hasText: 'unopened.vmbackup.cfg' }).first().waitFor({ timeout: 30_000 });
    await wb.screenshot('22-check-all-configs', { publish: true });
  }),
);

test(
  'the Pool Coverage view shows the VMs no config backs up and those backed up twice',
  { timeout: 90_000 },
  step('coverage', async () => {
    await wb.runCommand('Explorer: Focus on VmBackup Pool Coverage View');
    const view = wb.page.locator('.pane', {
      has: wb.page.locator('.pane-header', { hasText: 'VmBackup Pool Coverage' }),
    });
    const row = (text: string | RegExp) => view.locator('.monaco-list-row', { hasText: text }).first();
    await row('Not backed up').waitFor({ timeout: 60_000 });
    // weekly.cfg excludes PROD-mail; nightly.cfg and weekly.cfg both back up PROD-db01.
    await row('PROD-mail').waitFor({ timeout: 20_000 });
    await row('Backed up by more than one config').waitFor();
    await row('PROD-db01').waitFor();
    await wb.screenshot('23-pool-coverage', { publish: true });
  }),
);

test(
  'Ctrl+Shift+B (Run Build Task) never starts a backup',
  { timeout: 90_000 },
  step('build-task', async () => {
    await wb.openFile('weekly.cfg');
    await wb.editorLine(1).click();
    await wb.page.keyboard.press('Control+Shift+B');
    const widget = wb.quickInputWidget();
    if (
      !(await widget.waitFor({ state: 'visible', timeout: 10_000 }).then(
        () => true,
        () => false,
      ))
    ) {
      await wb.runCommand('Tasks: Run Build Task'); // the same command, should the browser keep the key
    }
    await widget.waitFor({ state: 'visible', timeout: 20_000 });
    // VS Code finds no build task: backup tasks are in no group, previews are test tasks.
    await widget.filter({ hasText: /No build task to run found|Configure Build Task/ }).waitFor({ timeout: 20_000 });
    assert.doesNotMatch(await widget.innerText(), /backup VmBackup\/weekly\.cfg/);
    await wb.screenshot('16-run-build-task-no-backup', { publish: true });
    await wb.page.keyboard.press('Escape');
    assert.equal(await wb.dialog().count(), 0);
    assert.deepEqual(readdirSync(backupDir), []);
  }),
);

test(
  'a backup task asks like Run Backup; Enter (the default button) does not start it',
  { timeout: 120_000 },
  step('backup-task', async () => {
    await wb.openFile('weekly.cfg');
    await wb.runCommand('Tasks: Run Task');
    await wb.quickInputWidget().locator('.quick-input-list .monaco-list-row', TASK_TYPE_ROW).first().click();
    await wb.pick('backup VmBackup/weekly.cfg');
    const dialog = wb.dialog();
    await dialog.waitFor({ timeout: 60_000 });
    assert.match(await dialog.innerText(), /Back up 5 VMs to /);
    await wb.screenshot('14-backup-task-confirmation', { publish: true });
    await wb.page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'detached', timeout: 20_000 });
    await waitForLog(/Backup not started: not confirmed\./);
    // Enter chose "Show Plan": the plan is in the log, and nothing was backed up.
    assert.match(codeServer.readLogs('VmBackup.log').join('\n'), /Backup plan for .*weekly\.cfg: 5 VMs to /);
    assert.deepEqual(readdirSync(backupDir), []);
  }),
);

test(
  'Run Backup confirms VM count and target, then writes the backup tree to disk',
  { timeout: 240_000 },
  step('backup', async () => {
    await wb.openFile('weekly.cfg');
    await wb.runCommand('VmBackup: Run Backup');
    const dialog = wb.dialog();
    await dialog.waitFor({ timeout: 60_000 });
    const question = await dialog.innerText();
    assert.match(
      question,
      new RegExp(`Back up 5 VMs to ${backupDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} on this machine\\?`),
    );
    assert.match(question, /PROD-web01/);
    await wb.screenshot('07-run-backup-confirmation', { publish: true });
    await dialog.locator('a.monaco-button, .monaco-button', { hasText: 'Run Backup' }).first().click();
    // The progress notification names the VM being backed up: `DEV-build01 (1/5) · export · …`.
    const progress = wb.notification(/\(\d\/5\)/);
    await progress.waitFor({ timeout: 30_000 });
    await wb.screenshot('08-run-backup-progress');
    const summary = wb.notification(/Backup: 5 succeeded, 0 with warnings, 0 failed/);
    await summary.waitFor({ timeout: 180_000 });
    await wb.screenshot('09-run-backup-done', { publish: true });
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
  }),
);

test(
  'Stop during a backup: the runner is interrupted, removes its snapshot and leaves no partial backup',
  { timeout: 240_000 },
  step('stop', async () => {
    const snapshotNames = () =>
      sim.state
        .entries('VM')
        .filter(([, vm]) => vm.is_a_snapshot === true)
        .map(([, vm]) => String(vm.name_label))
        .sort();
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
      const summary = wb.notification(/Backup stopped by you/);
      await summary.waitFor({ timeout: 120_000 });
      await wb.screenshot('10-stop-during-backup');
      // Not "1 failed": the VM that was cut short, and every VM that never started, by name.
      const text = await summary.innerText();
      const named = /interrupted, nothing kept: (\S+); not started: ([^()]+) \(/.exec(text);
      assert.ok(named, text);
      assert.deepEqual([named[1]!, ...named[2]!.split(', ')].sort(), EXPECTED_VMS);
      assert.doesNotMatch(text, /failed/);
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
  }),
);

test(
  'the vmbackup task type runs a preview from Tasks: Run Task, in a terminal',
  { timeout: 120_000 },
  step('task', async () => {
    await wb.openFile('weekly.cfg');
    await wb.runCommand('Tasks: Run Task');
    const widget = wb.page.locator('.quick-input-widget');
    // The task type's own row, not a recently used vmbackup task listed above it.
    await widget.locator('.quick-input-list .monaco-list-row', TASK_TYPE_ROW).first().click();
    await widget
      .locator('.quick-input-list .monaco-list-row', { hasText: 'preview VmBackup/weekly.cfg' })
      .first()
      .click();
    const terminal = wb.page.locator('.terminal-wrapper.active .xterm-rows, .terminal-wrapper .xterm-rows').last();
    await terminal.filter({ hasText: 'preview ended' }).waitFor({ timeout: 60_000 });
    const text = (await terminal.innerText()).replace(/\u00a0/g, ' ');
    assert.match(text, /vm-export: DEV-build01, DEV-test01, PROD-db01, PROD-web01:2, PROD-web02:2/);
    assert.match(text, /── Preview: VmBackup preview ended - Success/);
    await wb.screenshot('11-task-preview-terminal');
  }),
);

test(
  'Get Started has the VmBackup walkthrough: pool, password, preview, backup, status log',
  { timeout: 90_000 },
  step('walkthrough', async () => {
    await wb.runCommand('Welcome: Open Walkthrough...');
    await wb.pick('Back up a XenServer / XCP-ng pool with VmBackup');
    const page = wb.page.locator('.gettingStartedContainer');
    for (const title of [
      'Connect a pool',
      'Set the pool password',
      'Preview a config',
      'Back up',
      'Read the status log',
    ]) {
      await page.locator('.getting-started-step', { hasText: title }).first().waitFor({ timeout: 30_000 });
    }
    await wb.screenshot('19-get-started-walkthrough', { publish: true });
    await wb.page.keyboard.press('Control+W');
  }),
);

test(
  'a wrong password: Set Pool Password says so, the next run asks again, a failed run offers Re-enter Password',
  { timeout: 240_000 },
  step('wrong-password', async () => {
    await wb.openFile('weekly.cfg');
    await wb.runCommand('VmBackup: Set Pool Password');
    await wb.answerInputBox(/Password for root at/, 'not-the-password');
    const rejected = wb.notification(/The pool rejected the password for root at/);
    await rejected.waitFor({ timeout: 30_000 });
    assert.ok(await rejected.locator('.monaco-button', { hasText: 'Re-enter Password' }).count());
    await wb.waitForAttribute(wb.statusBarItem('status.languageStatus'), 'aria-label', /rejected the password/);
    await wb.screenshot('13-set-password-rejected', { publish: true });
    // The next run does not fail with the refused password: it asks for it first.
    await wb.runCommand('VmBackup: Run Preview');
    await wb
      .quickInputWidget()
      .locator('.quick-input-message', { hasText: /rejected the stored password/ })
      .waitFor({ timeout: 20_000 });
    await wb.page.keyboard.press('Escape');

    // A new window does not know the stored password was refused: the run fails, and says why.
    await wb.runCommand('Developer: Reload Window');
    await wb.page.locator('.monaco-workbench .part.statusbar').waitFor({ timeout: 90_000 });
    await wb.runCommand('View: Show Explorer');
    await wb.page.locator('.explorer-folders-view').waitFor({ timeout: 90_000 });
    await wb.openFile('weekly.cfg');
    await wb.runCommand('VmBackup: Run Preview');
    const failed = wb.notification(/The pool rejected the stored password for root at/);
    await failed.waitFor({ timeout: 60_000 });
    await wb.screenshot('17-run-password-rejected', { publish: true });
    await failed.locator('.monaco-button', { hasText: 'Re-enter Password' }).click();
    await wb.answerInputBox(/rejected the stored password/, sim.password);
    // The preview runs again with the new password.
    await wb.notification(/VmBackup Preview: .*(preview ended|warning)/).waitFor({ timeout: 60_000 });
    await wb.waitForAttribute(wb.statusBarItem('status.languageStatus'), 'aria-label', /Pool: 8 VMs/);
  }),
);
