// "Open Status Log": the status log named by the active config's `status_log` (or the
// original's default), opened in an editor. With the ssh transport it lives on the remote host.
import * as path from 'node:path';
import { existsSync } from 'node:fs';
import * as vscode from 'vscode';
import { parseConfig } from 'vmbackup-runner/config';
import { resolveSettings } from 'vmbackup-runner/config';
import { normaliseRunnerSettings } from './runnerInvocation';

export async function openStatusLog(document: vscode.TextDocument | undefined): Promise<void> {
  if (document?.languageId !== 'vmbackup') {
    void vscode.window.showWarningMessage('Open a VmBackup config first: its status_log setting names the status log.');
    return;
  }
  const configured = resolveSettings(parseConfig(document.getText())).statusLog;
  const runner = normaliseRunnerSettings(vscode.workspace.getConfiguration('vmbackup', document.uri));
  if (runner.transport === 'ssh') {
    void vscode.window.showInformationMessage(`The status log is on ${runner.sshTarget}: ${configured}`);
    return;
  }
  const file = path.resolve(path.dirname(document.uri.fsPath), configured);
  if (!existsSync(file)) {
    void vscode.window.showInformationMessage(
      `No status log yet at ${file}: it is written by the first backup run of this config.`,
    );
    return;
  }
  const log = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
  const editor = await vscode.window.showTextDocument(log, { preview: true });
  const end = new vscode.Position(log.lineCount - 1, 0);
  editor.revealRange(new vscode.Range(end, end));
}
