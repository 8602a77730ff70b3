// "Show Status Log History": the config's status log as a chart of its nights (historyPage.ts)
// in a webview; a failing night clicked there opens the status log at that night's lines.
// The page is rebuilt when the log file changes on disk.
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { parseStatusHistory } from 'vmbackup-runner/backup/statusHistory';
import { historyHtml, historyModel, openRequest } from './historyPage';
import { localStatusLog, showStatusLogFile } from './statusLog';

export const HISTORY_VIEW_TYPE = 'vmbackup.statusHistory';

export async function showStatusHistory(document: vscode.TextDocument | undefined): Promise<void> {
  const file = localStatusLog(document);
  if (!file) return;
  const panel = vscode.window.createWebviewPanel(
    HISTORY_VIEW_TYPE,
    'VmBackup Status History',
    vscode.ViewColumn.Active,
    { enableScripts: true, localResourceRoots: [] },
  );
  const render = async () => {
    const nights = parseStatusHistory(await readFile(file, 'utf8'));
    panel.webview.html = historyHtml(historyModel(nights), { nonce: randomBytes(16).toString('hex'), source: file });
  };
  const watcher = vscode.workspace.createFileSystemWatcher(
    new vscode.RelativePattern(vscode.Uri.file(path.dirname(file)), path.basename(file)),
  );
  panel.onDidDispose(() => watcher.dispose());
  watcher.onDidChange(() => void render().catch(() => undefined));
  panel.webview.onDidReceiveMessage((message: unknown) => {
    const lines = openRequest(message);
    if (lines) void showStatusLogFile(file, lines);
  });
  try {
    await render();
  } catch (err) {
    panel.dispose();
    void vscode.window.showErrorMessage(`VmBackup: cannot read ${file}: ${err instanceof Error ? err.message : err}`);
  }
}
