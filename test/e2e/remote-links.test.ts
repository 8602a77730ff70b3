// Document links over ssh in a real VS Code (code-server): with vmbackup.runner.transport
// "ssh", the status_log link opens the status log from the ssh target (the real sshd
// harness) read-only in an editor, and the backup_dir link lists the remote folder. The ssh
// identity and known hosts come from the runner's own `--ssh-config` (vmbackup.runner.extraArgs).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import type { Simulator } from '../sim/index';
import { startSshd, type Sshd } from '../harness/sshd';
import { startCodeServer, type CodeServer } from './codeServer';
import { prepareE2e, teardownE2e } from './environment';
import { launchBrowser, Workbench } from './workbench';

let sim: Simulator;
let sshd: Sshd;
let codeServer: CodeServer;
let browser: Browser;
let wb: Workbench;
let home: string;
let vsix: string;
/** The "remote" folder: on the sshd harness's machine, reached only through ssh by the editor. */
let remote: string;

before(async () => {
  ({ sim, vsix, home } = await prepareE2e('vmbackup-e2e-remote-'));
  sshd = await startSshd();
  remote = join(home, 'remote');
  mkdirSync(join(remote, 'BACKUPS', 'PROD-web01', '20261201-020000'), { recursive: true });
  mkdirSync(join(remote, 'BACKUPS', 'DEV-build01'));
  writeFileSync(join(remote, 'status.log'), '2026-12-01-(02:00:00) - VmBackup config: weekly.cfg - Success\n');
  const sshConfig = join(home, 'ssh_config');
  writeFileSync(
    sshConfig,
    `IdentityFile ${sshd.identityFile}\nIdentitiesOnly yes\nUserKnownHostsFile ${sshd.knownHostsFile}\n`,
  );
  const workspace = join(home, 'workspace');
  mkdirSync(join(workspace, 'VmBackup'), { recursive: true });
  writeFileSync(
    join(workspace, 'VmBackup', 'remote.cfg'),
    `max_backups=3\nbackup_dir=${remote}/BACKUPS\nstatus_log=${remote}/status.log\nvm-export=PROD-web01\n`,
  );
  codeServer = await startCodeServer({
    workspace,
    vsix,
    settings: {
      'vmbackup.runner.transport': 'ssh',
      'vmbackup.runner.sshTarget': sshd.target,
      'vmbackup.runner.extraArgs': ['--ssh-config', sshConfig],
    },
  });
  browser = await launchBrowser();
  wb = await Workbench.open(browser, codeServer.workspaceUrl);
});

after(async () => {
  await teardownE2e({ browser, codeServer, sim, home, vsix });
  await sshd?.stop();
});

/** Ctrl+click on the link the language server put on `text` of line `n` (it shows once links are computed). */
async function followLink(n: number, text: string): Promise<void> {
  const link = wb.editorLine(n).locator('.detected-link', { hasText: text }).first();
  await link.waitFor({ timeout: 30_000 });
  await link.click({ modifiers: ['Control'] });
}

test('over ssh the status_log link opens the remote status log, read-only', { timeout: 120_000 }, async () => {
  await wb.openFile('remote.cfg');
  await followLink(3, 'status.log');
  await wb.page.locator('.tab.active[aria-label^="status.log"]').waitFor({ timeout: 30_000 });
  await wb.page
    .locator('.editor-instance .view-line', { hasText: 'VmBackup config: weekly.cfg - Success' })
    .waitFor({ timeout: 30_000 });
  // Typing into it is refused with VS Code's read-only message.
  await wb.editorLine(1).click();
  await wb.page.keyboard.type('x');
  await wb.page.locator('.monaco-editor-overlaymessage', { hasText: /read-only/i }).waitFor({ timeout: 20_000 });
  await wb.screenshot('26-remote-status-log', { publish: true });
  assert.equal(sshd.log().includes('Accepted publickey'), true);
});

test('over ssh the backup_dir link lists the remote backup folder', { timeout: 120_000 }, async () => {
  await wb.openFile('remote.cfg');
  await followLink(2, 'BACKUPS');
  const widget = wb.quickInputWidget();
  await widget.locator('.quick-input-title', { hasText: `${remote}/BACKUPS on ${sshd.target}` }).waitFor({
    timeout: 30_000,
  });
  const rows = widget.locator('.quick-input-list .monaco-list-row');
  await rows.filter({ hasText: 'PROD-web01' }).waitFor();
  assert.deepEqual(
    (await rows.allInnerTexts()).map((t) => t.trim()),
    ['..', 'DEV-build01', 'PROD-web01'],
  );
  await wb.screenshot('27-remote-backup-folder', { publish: true });
  await wb.pick('PROD-web01');
  await widget.locator('.quick-input-list .monaco-list-row', { hasText: '20261201-020000' }).waitFor();
  await wb.page.keyboard.press('Escape');
});
