// "Open Status Log": the status log named by the active config's `status_log` (or the
// original's default), opened in an editor. With the ssh transport it lives on the remote host.
import * as path from 'node:path';
import { existsSync } from 'node:fs';
import * as vscode from 'vscode';
import { parseConfig } from 'vmbackup-runner/config';
import { resolveSettings } from 'vmbackup-runner/config';
import { normaliseRunnerSettings } from './runnerInvocation';

/** The config's status log on this machine; undefined (after saying why) when there is none to open. */
export function localStatusLog(document: vscode.TextDocument | undefined): string | undefined {
  if (document?.languageId !== 'vmbackup') {
    void vscode.window.showWarningMessage('Open a VmBackup config first: its status_log setting names the status log.');
    return undefined;
  }
  const configured = resolveSettings(parseConfig(document.getText())).statusLog;
  const runner = normaliseRunnerSettings(vscode.workspace.getConfiguration('vmbackup', document.uri));
  if (runner.transport === 'ssh') {
    void vscode.window.showInformationMessage(`The status log is on ${runner.sshTarget}: ${configured}`);
    return undefined;
  }
  const file = path.resolve(path.dirname(document.uri.fsPath), configured);
  if (!existsSync(file)) {
    void vscode.window.showInformationMessage(
      `No status log yet at ${file}: it is written by the first backup run of this config.`,
    );
    return undefined;
  }
  return file;
}

/** Opens the status log; with `lines`, selects them, else shows its end. */
export async function showStatusLogFile(file: string, lines?: { first: number; last: number }): Promise<void> {
  const log = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
  const editor = await vscode.window.showTextDocument(log, { preview: true });
  const range = lines
    ? new vscode.Range(lines.first, 0, lines.last, log.lineAt(Math.min(lines.last, log.lineCount - 1)).text.length)
    : new vscode.Range(log.lineCount - 1, 0, log.lineCount - 1, 0);
  if (lines) editor.selection = new vscode.Selection(range.start, range.end);
  editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
}

export async function openStatusLog(document: vscode.TextDocument | undefined): Promise<void> {
  const file = localStatusLog(document);
  if (file) await showStatusLogFile(file);
}
