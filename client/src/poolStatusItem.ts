// The language status item (the `{}` entry in the status bar while a vmbackup file is active):
// pool connection state and VM count, rendered by poolStatusView.ts.
import * as vscode from 'vscode';
import type { PoolStatus } from '../../server/src/protocol';
import { describeStatus, type StatusView } from './poolStatusView';

const SEVERITY: Record<StatusView['severity'], vscode.LanguageStatusSeverity> = {
  information: vscode.LanguageStatusSeverity.Information,
  warning: vscode.LanguageStatusSeverity.Warning,
  error: vscode.LanguageStatusSeverity.Error,
};

/** The item before the language server reports: not connected to the configured pool. */
export function createPoolStatusItem(url: string): vscode.LanguageStatusItem {
  const item = vscode.languages.createLanguageStatusItem('vmbackup.pool', { language: 'vmbackup' });
  item.name = 'VmBackup Pool';
  apply(item, { state: 'disconnected', vmCount: 0, message: '', url });
  return item;
}

export function apply(item: vscode.LanguageStatusItem, status: PoolStatus): void {
  const view = describeStatus(status, { trusted: vscode.workspace.isTrusted });
  item.text = view.text;
  item.detail = view.detail;
  item.severity = SEVERITY[view.severity];
  item.busy = view.busy;
  item.command = view.command;
}
