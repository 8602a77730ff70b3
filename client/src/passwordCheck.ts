// VmBackup: Set Pool Password. The password is stored, then checked at once: the language
// server logs in to the pool with it and answers with the pool status, so a wrong password is
// reported now (with Re-enter Password) rather than at the next backup.
import * as vscode from 'vscode';
import type { LanguageServer } from './languageServer';
import { judgePasswordCheck, poolUrlProblem } from './poolMessages';
import { describePool, poolIdentity, type PoolPasswords, type PromptReason } from './poolPassword';

export async function setPoolPassword(
  passwords: PoolPasswords,
  server: LanguageServer,
  log: vscode.LogOutputChannel,
  reason: PromptReason = 'set',
): Promise<void> {
  const pool = poolIdentity();
  const urlProblem = poolUrlProblem(pool.url);
  if (urlProblem) {
    const open = 'Open Settings';
    const choice = await vscode.window.showErrorMessage(`VmBackup: ${urlProblem}`, open);
    if (choice === open) void vscode.commands.executeCommand('workbench.action.openSettings', 'vmbackup.pool.url');
    return;
  }
  const password = await passwords.prompt(pool, reason);
  if (password === undefined) return;
  if (password === '') {
    log.info(`pool password for ${describePool(pool)} forgotten`);
    void server.sendPassword();
    return;
  }
  log.info(`pool password for ${describePool(pool)} stored in secret storage; checking it`);
  const status = await vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: `VmBackup: logging in to ${pool.url || 'the local host'}…`,
    },
    async () => {
      if (!pool.url) return undefined;
      await server.ensureStarted();
      return server.sendPassword();
    },
  );
  const check = judgePasswordCheck(status ?? { state: 'disconnected', message: '', url: pool.url }, pool);
  log.info(check.message);
  if (check.outcome === 'accepted') {
    void vscode.window.showInformationMessage(`VmBackup: ${check.message}`);
    return;
  }
  if (check.outcome === 'unchecked') {
    void vscode.window.showWarningMessage(`VmBackup: ${check.message}`);
    return;
  }
  passwords.markRejected(pool);
  const reenter = 'Re-enter Password';
  const choice = await vscode.window.showErrorMessage(`VmBackup: ${check.message}`, reenter);
  if (choice === reenter) await setPoolPassword(passwords, server, log, 'rejected');
}
