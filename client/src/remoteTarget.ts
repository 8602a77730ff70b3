// Which ssh target a `vmbackup-ssh://user@host:port/path` URI may reach, and with which ssh
// options: only a target the settings name as `vmbackup.runner.sshTarget` with the ssh
// transport (so a link in some other file cannot make the extension log in anywhere else),
// with the runner's own `--ssh-config` from `vmbackup.runner.extraArgs` when it is absolute.
// Pure (no `vscode` import).
import type { RunnerSettings } from './runnerInvocation';

export interface RemoteTargetOptions {
  target: string;
  configFile?: string;
}

/** The value of the last `--ssh-config` in the runner's extra arguments (the runner takes the last too). */
export function sshConfigOf(extraArgs: readonly string[]): string | undefined {
  let found: string | undefined;
  for (let i = 0; i < extraArgs.length; i++) {
    const arg = extraArgs[i]!;
    if (arg.startsWith('--ssh-config=')) found = arg.slice('--ssh-config='.length);
    else if (arg === '--ssh-config' && i + 1 < extraArgs.length && !extraArgs[i + 1]!.startsWith('--'))
      found = extraArgs[++i];
  }
  return found || undefined;
}

/**
 * The ssh options for `authority` (the URI's `user@host:port`) when one of the settings scopes
 * (user, workspace, folders) configures exactly that target for the ssh transport; otherwise
 * an error message naming the setting.
 */
export function remoteTargetFor(
  authority: string,
  scopes: readonly RunnerSettings[],
): RemoteTargetOptions | { refused: string } {
  const scope = scopes.find((s) => s.transport === 'ssh' && s.sshTarget === authority && authority !== '');
  if (!scope) {
    return {
      refused:
        `${authority || '(no host)'} is not the ssh target of the VmBackup runner: only the host named in ` +
        'vmbackup.runner.sshTarget (with vmbackup.runner.transport "ssh") is opened',
    };
  }
  const configFile = sshConfigOf(scope.extraArgs);
  return configFile?.startsWith('/') ? { target: authority, configFile } : { target: authority };
}
