// The language status item (the `{}` entry in the status bar while a vmbackup file is active): pool
// connection state and VM count, with the action that makes sense in that state.
import * as vscode from 'vscode';
import type { PoolStatus } from '../../server/src/protocol';

export function describeStatus(status: PoolStatus): {
  text: string;
  detail: string;
  severity: vscode.LanguageStatusSeverity;
  busy: boolean;
  command: vscode.Command;
} {
  const vms = `${status.vmCount} VM${status.vmCount === 1 ? '' : 's'}`;
  switch (status.state) {
    case 'connected':
      return {
        text: `$(server-environment) Pool: ${vms}`,
        detail: status.message,
        severity: vscode.LanguageStatusSeverity.Information,
        busy: false,
        command: { title: 'Disconnect', command: 'vmbackup.disconnectPool' },
      };
    case 'connecting':
      return {
        text: '$(server-environment) Pool: connecting…',
        detail: status.message,
        severity: vscode.LanguageStatusSeverity.Information,
        busy: true,
        command: { title: 'Show Logs', command: 'vmbackup.showLogs' },
      };
    case 'stale':
      return {
        text: `$(history) Pool: ${vms} (cached)`,
        detail: status.message,
        severity: vscode.LanguageStatusSeverity.Warning,
        busy: false,
        command: { title: 'Connect', command: 'vmbackup.connectPool' },
      };
    case 'error':
      return {
        text: '$(error) Pool: not connected',
        detail: status.message,
        severity: vscode.LanguageStatusSeverity.Error,
        busy: false,
        command: { title: 'Retry', command: 'vmbackup.connectPool' },
      };
    default:
      return {
        text: '$(debug-disconnect) Pool: not connected',
        detail: status.message || 'Set vmbackup.pool.url and the pool password to see live VM matches',
        severity: vscode.LanguageStatusSeverity.Information,
        busy: false,
        command: status.url
          ? { title: 'Connect', command: 'vmbackup.connectPool' }
          : { title: 'Configure', command: 'workbench.action.openSettings', arguments: ['vmbackup.pool'] },
      };
  }
}

export function createPoolStatusItem(): vscode.LanguageStatusItem {
  const item = vscode.languages.createLanguageStatusItem('vmbackup.pool', { language: 'vmbackup' });
  item.name = 'VmBackup Pool';
  apply(item, { state: 'disconnected', vmCount: 0, message: '', url: '' });
  return item;
}

export function apply(item: vscode.LanguageStatusItem, status: PoolStatus): void {
  const view = describeStatus(status);
  item.text = view.text;
  item.detail = view.detail;
  item.severity = view.severity;
  item.busy = view.busy;
  item.command = view.command;
}
