// The Backups view and the status log history in a real VS Code (issue 13, point 2): a
// workspace whose config's backup_dir holds real backups the runner made against the
// simulator. The view lists them with their retention mark, Verify turns one green, Delete is
// not offered for the newest good one, and the history chart shows the failing night.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Locator } from 'playwright-core';
import type { Simulator } from '../sim/index';
import { cliPath } from '../runner/helpers';
import { startCodeServer, type CodeServer } from './codeServer';
import { prepareE2e, teardownE2e } from './environment';
import { launchBrowser, Workbench } from './workbench';
import { spawn } from 'node:child_process';

let sim: Simulator;
let codeServer: CodeServer;
let browser: Browser;
let wb: Workbench;
let home: string;
let vsix: string;

function backup(config: string): Promise<number | null> {
  const child = spawn(process.execPath, [cliPath, '--xe', sim.xePath, '--xapi', sim.url, config], {
    env: { ...process.env, VMBACKUP_PASSWORD: sim.password },
    stdio: 'ignore',
  });
  return new Promise((resolve) => child.on('close', resolve));
}

/** Waits until the wall clock's second changes: backup folders are named to the second. */
async function nextSecond(): Promise<void> {
  const start = Math.floor(Date.now() / 1000);
  while (Math.floor(Date.now() / 1000) === start) await new Promise((r) => setTimeout(r, 20));
}

before(async () => {
  ({ sim, vsix, home } = await prepareE2e('vmbackup-e2e-backups-'));
  const workspace = join(home, 'workspace');
  mkdirSync(join(workspace, 'VmBackup'), { recursive: true });
  const backupDir = join(home, 'BACKUPS');
  mkdirSync(backupDir);
  const lines = [`backup_dir=${backupDir}`, `status_log=${join(home, 'status.log')}`, 'max_backups=2'];
  const config = join(workspace, 'VmBackup', 'nightly.cfg');
  // A night that fails (a VM the pool does not have), then two good ones: the history's red night.
  writeFileSync(config, [...lines, 'vm-export=NO-SUCH-VM'].join('\n') + '\n');
  assert.notEqual(await backup(config), 0);
  writeFileSync(config, [...lines, 'vm-export=TEMP-scratch'].join('\n') + '\n');
  for (let i = 0; i < 2; i++) {
    await nextSecond();
    assert.equal(await backup(config), 0);
  }
  codeServer = await startCodeServer({
    workspace,
    vsix,
    settings: { 'vmbackup.pool.url': sim.url, 'vmbackup.runner.xePath': sim.xePath },
  });
  browser = await launchBrowser();
  wb = await Workbench.open(browser, codeServer.workspaceUrl);
});

after(async () => {
  await teardownE2e({ browser, codeServer, sim, home, vsix });
});

test('the Backups view lists real backups; Verify marks one good; Delete is kept from the newest good one', {
  timeout: 300_000,
}, async () => {
  try {
    await wb.openFile('nightly.cfg');
    await wb.runCommand('Explorer: Focus on VmBackup Backups View');
    const view = wb.page.locator('.pane', { has: wb.page.locator('.pane-header', { hasText: 'VmBackup Backups' }) });
    const row = (text: string | RegExp): Locator => view.locator('.monaco-list-row', { hasText: text });
    await row('TEMP-scratch').first().waitFor({ timeout: 90_000 });
    assert.match(await row('TEMP-scratch').first().innerText(), /2 backups/);
    await row('TEMP-scratch').first().click();
    // A wider side bar, so the screenshots show the descriptions: drag its right edge (the sash).
    const box = await wb.page.locator('.part.sidebar').boundingBox();
    if (box) {
      const edge = { x: box.x + box.width + 1, y: box.y + box.height / 2 };
      await wb.page.mouse.move(edge.x, edge.y);
      await wb.page.mouse.down();
      await wb.page.mouse.move(edge.x + 420, edge.y, { steps: 10 });
      await wb.page.mouse.up();
    }
    const backups = row(/UTC/);
    await backups.nth(1).waitFor({ timeout: 30_000 });
    // Newest first: the older one is what the next run's retention deletes.
    const newest = backups.nth(0);
    const oldest = backups.nth(1);
    assert.match(await oldest.innerText(), /deleted by next run/);
    assert.match(await newest.innerText(), /xva · .* · unverified/);
    await wb.screenshot('25-backups-view', { publish: true });

    // The newest good backup's menu has no Delete; the older one's has.
    const menu = wb.page.locator('.context-view .monaco-menu');
    const menuItem = (text: string) => menu.locator('.action-label', { hasText: text }).first();
    await oldest.click({ button: 'right' });
    await menuItem('Delete…').waitFor({ timeout: 20_000 });
    await wb.page.keyboard.press('Escape');
    await newest.click({ button: 'right' });
    await menuItem('Restore…').waitFor({ timeout: 20_000 });
    assert.equal(await menu.locator('.action-label', { hasText: 'Delete…' }).count(), 0);

    await wb.page.keyboard.press('Escape');
    await menu.waitFor({ state: 'hidden' });
    // Verify through the row's inline action (the check mark shown on the hovered row).
    await newest.hover();
    await newest.locator('.actions .action-label[aria-label="Verify"]').click();
    await wb.notification(/is good/).waitFor({ timeout: 120_000 });
    await newest.locator('.codicon-pass').waitFor({ timeout: 30_000 });
    assert.match(await newest.innerText(), /good \(verified\)/);
    await wb.screenshot('26-backups-verified', { publish: true });
  } catch (err) {
    await wb?.screenshot('FAILED-backups-view').catch(() => undefined);
    throw err;
  }
});

test('the status log history shows every night and the failing one opens the log at its lines', {
  timeout: 180_000,
}, async () => {
  try {
    await wb.openFile('nightly.cfg');
    await wb.runCommand('VmBackup: Show Status Log History');
    const page = wb.page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
    await page.locator('h2', { hasText: 'Nights that need attention (1)' }).waitFor({ timeout: 60_000 });
    assert.equal(await page.locator('svg').count(), 3);
    await wb.screenshot('27-status-history', { publish: true });
    await page.locator('table button').first().click();
    await wb.page.locator('.tab.active[aria-label^="status.log"]').waitFor({ timeout: 30_000 });
    // The night's first record is selected: the run's begin line.
    const selected = wb.page.locator('.editor-instance .view-overlays .selected-text').first();
    await selected.waitFor({ timeout: 20_000 });
  } catch (err) {
    await wb?.screenshot('FAILED-status-history').catch(() => undefined);
    throw err;
  }
});

test('Restore…: a name, an SR of the pool, a dialog where Enter only shows the steps; Restore makes the VM', {
  timeout: 300_000,
}, async () => {
  try {
    await wb.openFile('nightly.cfg');
    await wb.runCommand('VmBackup: Set Pool Password');
    await wb.answerInputBox(/Password for root at/, sim.password);
    await wb.waitForAttribute(wb.statusBarItem('status.languageStatus'), 'aria-label', /Pool: \d+ VMs/);
    // Listed again now that the pool's inventory (its SRs) is there.
    await wb.runCommand('VmBackup: Refresh Backups');
    const view = wb.page.locator('.pane', { has: wb.page.locator('.pane-header', { hasText: 'VmBackup Backups' }) });
    const newest = view.locator('.monaco-list-row', { hasText: /UTC/ }).first();
    const name = 'TEMP-scratch "restored" by e2e';
    const startRestore = async () => {
      await newest.waitFor({ timeout: 60_000 });
      await newest.click({ button: 'right' });
      const item = wb.page.locator('.context-view .monaco-menu .action-label', { hasText: 'Restore…' }).first();
      await item.waitFor({ timeout: 20_000 });
      // Hovering focuses the menu item; Enter runs it (as a person using the keyboard would).
      await item.hover();
      await wb.page.keyboard.press('Enter');
      // The name box, then at once the SR pick in the same widget (so not answerInputBox, which
      // waits for the widget to close).
      const widget = wb.quickInputWidget();
      await widget
        .locator('.quick-input-title', { hasText: /Restore TEMP-scratch/ })
        .first()
        .waitFor();
      await widget.locator('input.input').fill(name);
      await wb.page.keyboard.press('Enter');
      await wb.quickInputWidget().locator('.monaco-list-row', { hasText: 'Pool default SR' }).first().waitFor();
      await wb.pick('Local storage');
      const dialog = wb.dialog();
      await dialog.waitFor({ timeout: 30_000 });
      assert.match(await dialog.innerText(), /Restore TEMP-scratch .* as "TEMP-scratch "restored" by e2e"\?/);
      return dialog;
    };
    const vmsNamed = () => sim.state.entries('VM').filter(([, vm]) => vm.name_label === name).length;

    const first = await startRestore();
    await wb.screenshot('28-backups-restore-confirmation', { publish: true });
    // Enter takes the default button: the dry run, which changes nothing in the pool.
    await wb.page.keyboard.press('Enter');
    await first.waitFor({ state: 'detached', timeout: 20_000 });
    await wb.notification(/restore \(dry run\) of TEMP-scratch .* finished/).waitFor({ timeout: 120_000 });
    assert.equal(vmsNamed(), 0);

    const second = await startRestore();
    await second
      .locator('.monaco-button', { hasText: /^Restore$/ })
      .first()
      .click();
    await wb.notification(/restore of TEMP-scratch .* finished: TEMP-scratch "restored" by e2e/).waitFor({
      timeout: 180_000,
    });
    assert.equal(vmsNamed(), 1);
  } catch (err) {
    await wb?.screenshot('FAILED-backups-restore').catch(() => undefined);
    throw err;
  }
});

test('Health Check restores, starts and removes a VM; Delete… removes an older backup after its dialog', {
  timeout: 300_000,
}, async () => {
  try {
    const view = wb.page.locator('.pane', { has: wb.page.locator('.pane-header', { hasText: 'VmBackup Backups' }) });
    const rows = view.locator('.monaco-list-row', { hasText: /UTC/ });
    const runFromMenu = async (row: Locator, title: string) => {
      await row.waitFor({ timeout: 60_000 });
      await row.click({ button: 'right' });
      const item = wb.page.locator('.context-view .monaco-menu .action-label', { hasText: title }).first();
      await item.waitFor({ timeout: 20_000 });
      await item.hover();
      await wb.page.keyboard.press('Enter');
    };
    const vmCount = () => sim.state.entries('VM').length;
    const before = vmCount();
    await runFromMenu(rows.first(), 'Health Check');
    await wb.pick('Pool default SR');
    const health = wb.dialog();
    await health.waitFor({ timeout: 30_000 });
    assert.match(await health.innerText(), /Health check TEMP-scratch\?/);
    await health
      .locator('.monaco-button', { hasText: /^Run Health Check$/ })
      .first()
      .click();
    await wb.notification(/healthcheck of TEMP-scratch .* finished/).waitFor({ timeout: 180_000 });
    // The temporary VM is gone again.
    assert.equal(vmCount(), before);

    const oldest = rows.nth(1);
    const folder = (await oldest.innerText()).match(/(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}) UTC/);
    assert.ok(folder);
    const path = join(home, 'BACKUPS', 'TEMP-scratch', `backup-${folder[1]}-(${folder[2]})`);
    assert.ok(existsSync(path));
    await runFromMenu(oldest, 'Delete…');
    const confirm = wb.dialog();
    await confirm.waitFor({ timeout: 30_000 });
    assert.match(await confirm.innerText(), /Delete the backup TEMP-scratch/);
    await wb.screenshot('29-backups-delete-confirmation', { publish: true });
    await confirm
      .locator('.monaco-button', { hasText: /^Delete$/ })
      .first()
      .click();
    await view
      .locator('.monaco-list-row', { hasText: /1 backup\b/ })
      .first()
      .waitFor({ timeout: 60_000 });
    assert.ok(!existsSync(path));
    assert.equal(await rows.count(), 1);
  } catch (err) {
    await wb?.screenshot('FAILED-backups-health-delete').catch(() => undefined);
    throw err;
  }
});
