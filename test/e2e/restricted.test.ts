// Restricted Mode in a real VS Code: a cloned folder whose .vscode/settings.json points the
// extension at a pool and at another `xe`. The user answers the trust prompt with "No": editing
// features still work, but the workspace's pool and runner settings are ignored and the runner
// commands are disabled.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import type { Simulator } from '../sim/index';
import { startCodeServer, type CodeServer } from './codeServer';
import { prepareE2e, teardownE2e } from './environment';
import { launchBrowser, Workbench } from './workbench';

let sim: Simulator;
let codeServer: CodeServer;
let browser: Browser;
let wb: Workbench;
let home: string;
let vsix: string;

before(async () => {
  ({ sim, vsix, home } = await prepareE2e('vmbackup-e2e-restricted-'));
  const workspace = join(home, 'cloned-repo');
  mkdirSync(join(workspace, 'VmBackup'), { recursive: true });
  mkdirSync(join(workspace, '.vscode'));
  writeFileSync(
    join(workspace, '.vscode', 'settings.json'),
    JSON.stringify({ 'vmbackup.pool.url': sim.url, 'vmbackup.runner.xePath': join(home, 'not-xe') }, null, 2),
  );
  writeFileSync(join(workspace, 'VmBackup', 'weekly.cfg'), 'max_backups=3\nvm-exprot=DEV-.*\nvm-export=PROD-web.*:2\n');
  writeFileSync(join(workspace, 'notes.txt'), 'opened after a click, to know the click was handled\n');
  codeServer = await startCodeServer({ workspace, vsix, workspaceTrust: true });
  browser = await launchBrowser();
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await page.goto(codeServer.workspaceUrl);
  const prompt = page.locator('.monaco-dialog-box', { hasText: 'Do you trust the authors' });
  await prompt.waitFor({ timeout: 90_000 });
  await prompt.locator('.monaco-button', { hasText: "No, I don't trust the authors" }).click();
  await prompt.waitFor({ state: 'detached' });
  await page.locator('.explorer-folders-view').waitFor({ timeout: 60_000 });
  wb = new Workbench(page);
});

after(() => teardownE2e({ browser, codeServer, sim, home, vsix }));

test('in Restricted Mode the language, highlighting and diagnostics work', { timeout: 90_000 }, async () => {
  await wb.openFile('weekly.cfg');
  await wb.statusBarItem('status.editor.mode').filter({ hasText: 'VmBackup config' }).waitFor({ timeout: 30_000 });
  const panel = await wb.openProblems();
  await panel.locator('.monaco-list-row', { hasText: "Unknown key 'vm-exprot'" }).first().waitFor({ timeout: 30_000 });
  await wb.screenshot('restricted-01-diagnostics');
});

test('in Restricted Mode the workspace cannot choose the pool: the password prompt names the local host', {
  timeout: 60_000,
}, async () => {
  await wb.openFile('weekly.cfg');
  await wb.runCommand('VmBackup: Set Pool Password');
  const widget = wb.page.locator('.quick-input-widget');
  await widget
    .locator('.quick-input-message', { hasText: 'Password for root at the local host' })
    .waitFor({ timeout: 20_000 });
  assert.doesNotMatch(await widget.innerText(), new RegExp(sim.url.replace(/[.]/g, '\\.')));
  await wb.page.keyboard.press('Escape');
});

test('in Restricted Mode the pool status says the workspace\'s pool URL is ignored (not "No password yet")', {
  timeout: 60_000,
}, async () => {
  await wb.openFile('weekly.cfg');
  const status = wb.statusBarItem('status.languageStatus');
  await wb.waitForAttribute(status, 'aria-label', /Pool: not configured/);
  await status.click();
  const popup = wb.page
    .locator('.monaco-hover:not(.hidden)', { hasText: 'Restricted Mode: pool URL from workspace ignored' })
    .first();
  await popup.waitFor({ timeout: 20_000 });
  assert.doesNotMatch(await popup.innerText(), /No password yet/);
  // The popup stays inside the window.
  const box = await popup.boundingBox();
  assert.ok(box && box.x >= 0 && box.x + box.width <= 1440, JSON.stringify(box));
  await wb.screenshot('11-restricted-mode', { publish: true });
  await wb.page.keyboard.press('Escape');
});

test('in Restricted Mode Run Preview and Run Backup are disabled', { timeout: 60_000 }, async () => {
  await wb.openFile('weekly.cfg');
  const preview = wb.page.locator('.editor-actions .action-label[aria-label="Run Preview"]').first();
  const backup = wb.page.locator('.editor-actions .action-label[aria-label="Run Backup"]').first();
  await preview.waitFor({ timeout: 20_000 });
  assert.match((await preview.getAttribute('class')) ?? '', /\bdisabled\b/);
  assert.match((await backup.getAttribute('class')) ?? '', /\bdisabled\b/);
  await preview.click({ force: true });
  await wb.screenshot('restricted-02-run-disabled');
  // A barrier, not a pause: the workbench handles input in order, so once a file opened after
  // the click is showing, the click has had whatever effect it has (it must have none).
  await wb.openFile('notes.txt');
  assert.equal(await wb.notification(/VmBackup Preview/).count(), 0);
  assert.ok(!codeServer.readLogs('VmBackup.log').join('\n').includes('── VmBackup Preview'));
});
