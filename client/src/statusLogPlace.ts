// Where the status log of a config is: on this machine (its `status_log`, relative to the
// config's folder), or with the ssh transport on the ssh target, read through the extension's
// read-only `vmbackup-ssh:` file system (remoteFileSystem.ts: only the configured
// vmbackup.runner.sshTarget is reached). Pure (no `vscode` import): unit-tested.
import * as path from 'node:path';
import { remoteFileUri } from '../../server/src/service/links';
import type { RunnerSettings } from './runnerInvocation';

export type StatusLogPlace =
  | { kind: 'local'; file: string }
  /** `uri`: vmbackup-ssh://user@host:port/path; `path`: the path on the target. */
  | { kind: 'remote'; uri: string; target: string; path: string }
  | { kind: 'unavailable'; reason: string };

export function statusLogPlace(configured: string, configFile: string, runner: RunnerSettings): StatusLogPlace {
  if (runner.transport !== 'ssh') return { kind: 'local', file: path.resolve(path.dirname(configFile), configured) };
  // The runner writes it on the target, where only an absolute path names one file.
  if (!configured.startsWith('/')) {
    return {
      kind: 'unavailable',
      reason:
        `status_log ${configured} is relative: over ssh only an absolute status_log names a file ` +
        `on ${runner.sshTarget}`,
    };
  }
  const uri = remoteFileUri(runner.sshTarget, configured);
  if (!uri) {
    return {
      kind: 'unavailable',
      reason:
        'vmbackup.runner.sshTarget must be user@host[:port] to read the status log over ssh ' +
        `(got "${runner.sshTarget}")`,
    };
  }
  return { kind: 'remote', uri, target: runner.sshTarget, path: configured };
}
