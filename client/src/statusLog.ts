// "Open Status Log": the status log named by the active config's `status_log` (or the
// original's default), opened in an editor. With the ssh transport it lives on the remote host
// and opens read-only through the `vmbackup-ssh:` file system (statusLogPlace.ts).
import * as vscode from 'vscode';
import { parseConfig } from 'vmbackup-runner/config';
import { resolveSettings } from 'vmbackup-runner/config';
import { normaliseRunnerSettings } from './runnerInvocation';
import { statusLogPlace } from './statusLogPlace';

/**
 * The config's status log: a file URI on this machine, or with the ssh transport its
 * `vmbackup-ssh:` URI on the target (read-only); undefined (after saying why) when there is none.
 */
export async function statusLogUri(document: vscode.TextDocument | undefined): Promise<vscode.Uri | undefined> {
  if (document?.languageId !== 'vmbackup') {
    void vscode.window.showWarningMessage('Open a VmBackup config first: its status_log setting names the status log.');
    return undefined;
  }
  const configured = resolveSettings(parseConfig(document.getText())).statusLog;
  const runner = normaliseRunnerSettings(vscode.workspace.getConfiguration('vmbackup', document.uri));
  const place = statusLogPlace(configured, document.uri.fsPath, runner);
  if (place.kind === 'unavailable') {
    void vscode.window.showWarningMessage(`VmBackup: ${place.reason}`);
    return undefined;
  }
  const uri = place.kind === 'local' ? vscode.Uri.file(place.file) : vscode.Uri.parse(place.uri);
  const where = place.kind === 'local' ? place.file : `${place.path} on ${place.target}`;
  try {
    await vscode.workspace.fs.stat(uri);
  } catch (err) {
    const missing = err instanceof vscode.FileSystemError && err.code === 'FileNotFound';
    void vscode.window.showInformationMessage(
      missing
        ? `No status log yet at ${where}: it is written by the first backup run of this config.`
        : `VmBackup: cannot read the status log ${where}: ${err instanceof Error ? err.message : String(err)}`,
    );
    return undefined;
  }
  return uri;
}

/** Opens the status log; with `lines`, selects them, else shows its end. */
export async function showStatusLogFile(uri: vscode.Uri, lines?: { first: number; last: number }): Promise<void> {
  const log = await vscode.workspace.openTextDocument(uri);
  const editor = await vscode.window.showTextDocument(log, { preview: true });
  const range = lines
    ? new vscode.Range(lines.first, 0, lines.last, log.lineAt(Math.min(lines.last, log.lineCount - 1)).text.length)
    : new vscode.Range(log.lineCount - 1, 0, log.lineCount - 1, 0);
  if (lines) editor.selection = new vscode.Selection(range.start, range.end);
  editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
}

export async function openStatusLog(document: vscode.TextDocument | undefined): Promise<void> {
  const uri = await statusLogUri(document);
  if (uri) await showStatusLogFile(uri);
}
