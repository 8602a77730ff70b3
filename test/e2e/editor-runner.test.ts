// The editor and the runner agree (issue 12, defect 1), in a real VS Code: the corrected
// weekend.cfg of the original's README against a pool that has two VMs named DEV-duplicate,
// which the config does not select. The Problems panel shows that as a warning (VMB046), no
// error, and Run Preview ends with warnings, not "ERRORS DETECTED".
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { startSimulator, type Simulator } from '../sim/index';
import { ROOT, startCodeServer, type CodeServer } from './codeServer';
import { prepareE2e, teardownE2e } from './environment';
import { launchBrowser, Workbench } from './workbench';

let demo: Simulator;
let weekend: Simulator;
let codeServer: CodeServer;
let browser: Browser;
let wb: Workbench;
let home: string;
let vsix: string;

before(async () => {
  ({ sim: demo, vsix, home } = await prepareE2e('vmbackup-e2e-agree-'));
  weekend = await startSimulator({ fixture: join(ROOT, 'test', 'sim', 'fixtures', 'weekend.json') });
  const workspace = join(home, 'workspace');
  mkdirSync(join(workspace, 'VmBackup'), { recursive: true });
  mkdirSync(join(home, 'BACKUPS'));
  const config = readFileSync(join(ROOT, 'examples', 'weekend.cfg'), 'utf8').replace(
    'backup_dir=/snapshots/BACKUPS',
    `backup_dir=${join(home, 'BACKUPS')}`,
  );
  writeFileSync(join(workspace, 'VmBackup', 'weekend.cfg'), config);
  codeServer = await startCodeServer({
    workspace,
    vsix,
    settings: { 'vmbackup.pool.url': weekend.url, 'vmbackup.runner.xePath': weekend.xePath },
  });
  browser = await launchBrowser();
  wb = await Workbench.open(browser, codeServer.workspaceUrl);
});

after(async () => {
  await weekend?.close();
  await teardownE2e({ browser, codeServer, sim: demo, home, vsix });
});

test('weekend.cfg: duplicates the config does not select are a warning in Problems and in Run Preview alike', {
  timeout: 240_000,
}, async () => {
  try {
    await wb.openFile('weekend.cfg');
    await wb.runCommand('VmBackup: Set Pool Password');
    await wb.answerInputBox(/Password for root at/, weekend.password);
    await wb.waitForAttribute(wb.statusBarItem('status.languageStatus'), 'aria-label', /Pool: \d+ VMs/);
    const panel = await wb.openProblems();
    const duplicate = panel.locator('.monaco-list-row', { hasText: 'DEV-duplicate' }).first();
    await duplicate.waitFor({ timeout: 30_000 });
    assert.match(await duplicate.innerText(), /VMB046/);
    assert.ok(
      (await panel.locator('.monaco-list-row .codicon-warning').count()) >= 1,
      'warnings are shown with their icon',
    );
    assert.equal(await panel.locator('.monaco-list-row .codicon-error').count(), 0, 'no error in the editor');

    await wb.runCommand('VmBackup: Run Preview');
    const done = wb.notification(/VmBackup Preview/).filter({ hasText: /warning|Success/ });
    await done.waitFor({ timeout: 90_000 });
    const text = await done.innerText();
    assert.doesNotMatch(text, /ERRORS DETECTED|error/i);
    await wb.screenshot('24-editor-and-runner-agree', { publish: true });
  } catch (err) {
    await wb?.screenshot('FAILED-agree').catch(() => undefined);
    throw err;
  }
});
