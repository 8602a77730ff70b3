// The VmBackup extension: language detection for `.cfg` files, the language server, the pool
// password (SecretStorage) and status, Run Preview / Run Backup / Stop, the status log, and a
// task provider. Activation only wires things up; the language server starts when the first
// vmbackup document is open, so activating for content detection of some `.cfg` stays cheap.
import * as vscode from 'vscode';
import { BROWSE_REMOTE_FOLDER_COMMAND, Methods, type PoolStatus } from '../../server/src/protocol';
import { BackupsView } from './backupsView';
import { checkAllConfigs } from './checkConfigs';
import { CoverageView } from './coverageView';
import { LanguageDetection } from './languageDetection';
import { LanguageServer } from './languageServer';
import { setPoolPassword } from './passwordCheck';
import { explainUnreachable, isAuthenticationFailure, poolUrlProblem } from './poolMessages';
import { describePool, poolIdentity, PoolPasswords } from './poolPassword';
import { apply, createPoolStatusItem } from './poolStatusItem';
import { browseRemoteFolder, RemoteFileSystem } from './remoteFileSystem';
import { RunController } from './runController';
import { showStatusHistory } from './historyView';
import { openStatusLog } from './statusLog';
import { TASK_TYPE, VmbackupTaskProvider } from './tasks';

let server: LanguageServer | undefined;

/** The config a command acts on: its argument (URI or URI string, e.g. from the code lens) or the active editor. */
function targetUri(arg: unknown): vscode.Uri | undefined {
  if (arg instanceof vscode.Uri) return arg;
  if (typeof arg === 'string' && arg !== '') return vscode.Uri.parse(arg);
  const editor = vscode.window.activeTextEditor;
  return editor?.document.languageId === 'vmbackup' ? editor.document.uri : undefined;
}

export function activate(context: vscode.ExtensionContext): void {
  const started = performance.now();
  const log = vscode.window.createOutputChannel('VmBackup', { log: true });
  const passwords = new PoolPasswords(context.secrets);
  const runs = new RunController(context, log, passwords);
  server = new LanguageServer(context, log, passwords);
  const coverage = new CoverageView(server, log);
  const backups = new BackupsView(context, server, passwords, log);
  const statusItem = createPoolStatusItem(poolIdentity().url);
  let lastStatus: PoolStatus = { state: 'disconnected', vmCount: 0, message: '', url: poolIdentity().url };
  let lastLogged = '';
  void vscode.commands.executeCommand('setContext', 'vmbackup.running', false);

  const run = (action: 'preview' | 'backup') => async (arg: unknown) => {
    const uri = targetUri(arg);
    if (!uri) {
      void vscode.window.showWarningMessage('Open a VmBackup config (.cfg) to run it.');
      return;
    }
    await runs.run(action, uri, { confirm: action === 'backup' });
  };

  const poolRequest = (method: typeof Methods.connectPool | typeof Methods.disconnectPool) => async () => {
    try {
      const status = await server!.request(method);
      if (status.state !== 'error' && !(status.state === 'stale' && method === Methods.connectPool)) return;
      // Retrying with a password the pool refused cannot work: offer to enter it again.
      if (isAuthenticationFailure(status.message)) {
        passwords.markRejected(poolIdentity());
        const reenter = 'Re-enter Password';
        const choice = await vscode.window.showErrorMessage(
          `VmBackup: the pool rejected the password for ${describePool(poolIdentity())}.`,
          reenter,
        );
        if (choice === reenter) await setPoolPassword(passwords, server!, log, 'rejected');
        return;
      }
      const reason = poolUrlProblem(status.url) ?? explainUnreachable(status.message, status.url) ?? status.message;
      void vscode.window.showErrorMessage(`VmBackup: ${reason}`);
    } catch (err) {
      void vscode.window.showErrorMessage(`VmBackup: ${err instanceof Error ? err.message : String(err)}`);
    }
  };

  context.subscriptions.push(
    log,
    runs,
    server,
    statusItem,
    new LanguageDetection(context.workspaceState, log),
    server.onPoolStatus((status) => {
      lastStatus = status;
      apply(statusItem, status);
      if (status.message !== lastLogged) log.info(`pool: ${(lastLogged = status.message)}`);
    }),
    // Trust changes what the status says about a workspace's pool URL.
    vscode.workspace.onDidGrantWorkspaceTrust(() => apply(statusItem, lastStatus)),
    vscode.commands.registerCommand('vmbackup.runPreview', run('preview')),
    vscode.commands.registerCommand('vmbackup.runBackup', run('backup')),
    vscode.commands.registerCommand('vmbackup.stop', () => runs.stop()),
    vscode.commands.registerCommand('vmbackup.setPoolPassword', () => setPoolPassword(passwords, server!, log)),
    vscode.commands.registerCommand('vmbackup.connectPool', poolRequest(Methods.connectPool)),
    vscode.commands.registerCommand('vmbackup.disconnectPool', poolRequest(Methods.disconnectPool)),
    vscode.commands.registerCommand('vmbackup.showLogs', () => log.show()),
    vscode.commands.registerCommand('vmbackup.openAsVmBackupConfig', async (arg: unknown) => {
      const document =
        arg instanceof vscode.Uri
          ? await vscode.workspace.openTextDocument(arg)
          : vscode.window.activeTextEditor?.document;
      if (document) await vscode.languages.setTextDocumentLanguage(document, 'vmbackup');
    }),
    vscode.commands.registerCommand('vmbackup.openStatusLog', () =>
      openStatusLog(vscode.window.activeTextEditor?.document),
    ),
    vscode.commands.registerCommand('vmbackup.showStatusHistory', async (arg: unknown) => {
      // From the Backups view the argument is a config's node, which carries the config's URI.
      const node = typeof arg === 'object' && arg !== null && 'uri' in arg ? (arg as { uri: unknown }).uri : arg;
      const uri = targetUri(node);
      await showStatusHistory(uri ? await vscode.workspace.openTextDocument(uri) : undefined);
    }),
    vscode.tasks.registerTaskProvider(TASK_TYPE, new VmbackupTaskProvider(runs)),
    coverage,
    backups,
    runs.onDidFinish((action) => action === 'backup' && backups.refreshIfVisible()),
    vscode.commands.registerCommand('vmbackup.checkAllConfigs', () => checkAllConfigs(server!, log)),
    vscode.commands.registerCommand('vmbackup.refreshCoverage', () => coverage.refresh()),
    RemoteFileSystem.register(context, log),
    vscode.commands.registerCommand(BROWSE_REMOTE_FOLDER_COMMAND, browseRemoteFolder),
  );
  // bench/activation.ts reads this duration (log timestamps are taken when the log is flushed).
  const version = context.extension.packageJSON.version as string;
  log.info(`VmBackup extension ${version} activated: activate() took ${(performance.now() - started).toFixed(1)} ms`);
}

export async function deactivate(): Promise<void> {
  await server?.stop();
  server = undefined;
}
