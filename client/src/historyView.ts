// "Show Status Log History": the config's status log as a chart of its nights (historyPage.ts)
// in a webview; a failing night clicked there opens the status log at that night's lines.
// The page is rebuilt when a local log file changes on disk. With the ssh transport the log is
// read on the target through the read-only `vmbackup-ssh:` file system (only the configured
// target), and a night opens that remote file at its lines.
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { parseStatusHistory } from 'vmbackup-runner/backup/statusHistory';
import { historyHtml, historyModel, openRequest } from './historyPage';
import { showStatusLogFile, statusLogUri } from './statusLog';

export const HISTORY_VIEW_TYPE = 'vmbackup.statusHistory';

export async function showStatusHistory(document: vscode.TextDocument | undefined): Promise<void> {
  const uri = await statusLogUri(document);
  if (!uri) return;
  const source = uri.scheme === 'file' ? uri.fsPath : `${uri.path} on ${uri.authority} (over ssh)`;
  const panel = vscode.window.createWebviewPanel(
    HISTORY_VIEW_TYPE,
    'VmBackup Status History',
    vscode.ViewColumn.Active,
    { enableScripts: true, localResourceRoots: [] },
  );
  const render = async () => {
    const nights = parseStatusHistory(Buffer.from(await vscode.workspace.fs.readFile(uri)).toString('utf8'));
    panel.webview.html = historyHtml(historyModel(nights), { nonce: randomBytes(16).toString('hex'), source });
  };
  if (uri.scheme === 'file') {
    // The remote file system is not watched: a remote history is read when the page opens.
    const watcher = vscode.workspace.createFileSystemWatcher(
      new vscode.RelativePattern(vscode.Uri.file(path.dirname(uri.fsPath)), path.basename(uri.fsPath)),
    );
    panel.onDidDispose(() => watcher.dispose());
    watcher.onDidChange(() => void render().catch(() => undefined));
  }
  panel.webview.onDidReceiveMessage((message: unknown) => {
    const lines = openRequest(message);
    if (lines) void showStatusLogFile(uri, lines);
  });
  try {
    await render();
  } catch (err) {
    panel.dispose();
    void vscode.window.showErrorMessage(`VmBackup: cannot read ${source}: ${err instanceof Error ? err.message : err}`);
  }
}
