// What the language status item shows for a pool status: text, a one-sentence detail (the
// popup is narrow and does not wrap, so the full message goes to the VmBackup log instead) and
// the action that makes sense in that state. Pure (types only from `vscode`): unit-tested.
import type * as vscode from 'vscode';
import type { PoolStatus } from '../../server/src/protocol';
import { explainUnreachable, isAuthenticationFailure, poolUrlProblem } from './poolMessages';

/** Longest detail the language status popup shows without running off a 1280 px wide window. */
export const MAX_DETAIL_LENGTH = 72;

/** What the item cannot learn from the server's status. */
export interface StatusContext {
  /** false in Restricted Mode: workspace values of vmbackup.pool.* are ignored. */
  trusted: boolean;
}

export interface StatusView {
  text: string;
  detail: string;
  severity: 'information' | 'warning' | 'error';
  busy: boolean;
  command: vscode.Command;
}

/** The first sentence of `text`, cut at a word boundary to at most `max` characters. */
export function shortDetail(text: string, max = MAX_DETAIL_LENGTH): string {
  const sentence = /^(.+?[.!?])(\s|$)/.exec(text.trim())?.[1] ?? text.trim();
  if (sentence.length <= max) return sentence;
  const cut = sentence.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).replace(/[\s,;:]+$/, '')}…`;
}

const configure: vscode.Command = {
  title: 'Configure',
  command: 'workbench.action.openSettings',
  arguments: ['vmbackup.pool'],
};
const setPassword: vscode.Command = { title: 'Set Password', command: 'vmbackup.setPoolPassword' };
const reenterPassword: vscode.Command = { title: 'Re-enter Password', command: 'vmbackup.setPoolPassword' };

export function describeStatus(status: PoolStatus, context: StatusContext): StatusView {
  const vms = `${status.vmCount} VM${status.vmCount === 1 ? '' : 's'}`;
  const urlProblem = poolUrlProblem(status.url);
  if (urlProblem) {
    return {
      text: '$(error) Pool: invalid URL',
      detail: shortDetail(urlProblem),
      severity: 'error',
      busy: false,
      command: configure,
    };
  }
  if (status.url === '' && status.state !== 'connected') {
    return {
      text: '$(debug-disconnect) Pool: not configured',
      // Restricted Mode drops a workspace's pool URL without a word: say so.
      detail: context.trusted
        ? 'No pool URL: set vmbackup.pool.url'
        : 'Restricted Mode: pool URL from workspace ignored',
      severity: 'information',
      busy: false,
      command: context.trusted ? configure : { title: 'Manage Trust', command: 'workbench.trust.manage' },
    };
  }
  switch (status.state) {
    case 'connected':
      return {
        text: `$(server-environment) Pool: ${vms}`,
        detail: shortDetail(status.message),
        severity: 'information',
        busy: false,
        command: { title: 'Disconnect', command: 'vmbackup.disconnectPool' },
      };
    case 'connecting':
      return {
        text: '$(server-environment) Pool: connecting…',
        detail: shortDetail(status.message),
        severity: 'information',
        busy: true,
        command: { title: 'Show Logs', command: 'vmbackup.showLogs' },
      };
    case 'stale':
      return {
        text: `$(history) Pool: ${vms} (cached)`,
        detail: shortDetail(offlineReason(status)),
        severity: 'warning',
        busy: false,
        command: isAuthenticationFailure(status.message)
          ? reenterPassword
          : { title: 'Connect', command: 'vmbackup.connectPool' },
      };
    case 'error':
      if (isAuthenticationFailure(status.message)) {
        return {
          text: '$(error) Pool: password rejected',
          detail: 'The pool rejected the password',
          severity: 'error',
          busy: false,
          command: reenterPassword,
        };
      }
      return {
        text: '$(error) Pool: not connected',
        detail: shortDetail(offlineReason(status)),
        severity: 'error',
        busy: false,
        command: { title: 'Retry', command: 'vmbackup.connectPool' },
      };
    default: {
      const noPassword = /no password/i.test(status.message);
      return {
        text: '$(debug-disconnect) Pool: not connected',
        detail: noPassword ? 'No password yet' : shortDetail(status.message || 'Not connected'),
        severity: 'information',
        busy: false,
        command: noPassword ? setPassword : { title: 'Connect', command: 'vmbackup.connectPool' },
      };
    }
  }
}

/** Why the pool is not connected, without the cached-inventory tail ("Showing the VMs as of …"). */
function offlineReason(status: PoolStatus): string {
  if (isAuthenticationFailure(status.message)) return 'The pool rejected the password.';
  return explainUnreachable(status.message, status.url) ?? status.message;
}
