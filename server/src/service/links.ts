// Document links on backup_dir and status_log. When the runner works on this machine: the
// folder and the status log as local file URIs. With the ssh transport the paths are on the
// remote host, so a file:// link would open a local path that is not the one the runner
// writes: status_log links to the extension's read-only file system over ssh
// (`vmbackup-ssh://user@host:port/path`, opened in an editor), backup_dir to the command that
// lists the remote folder. Pure: a function of the document and the settings.
import type { DocumentLink } from 'vscode-languageserver';
import type { FeatureContext } from './context';
import { BROWSE_REMOTE_FOLDER_COMMAND, REMOTE_FILE_SCHEME } from './types';

/** `file://` URI of an absolute POSIX path, each segment percent-encoded (pure: no node:url). */
export function fileUri(path: string): string {
  return `file://${encodedPath(path)}`;
}

function encodedPath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

/** A `user@host[:port]` that fits a URI authority as it is (the form the runner's --ssh takes). */
const SSH_TARGET = /^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+(?::\d{1,5})?$/;

/**
 * `vmbackup-ssh://user@host:port/path` of a path on the ssh target; undefined for a target
 * that is no `user@host[:port]`.
 */
export function remoteFileUri(sshTarget: string, path: string): string | undefined {
  if (!SSH_TARGET.test(sshTarget)) return undefined;
  return `${REMOTE_FILE_SCHEME}://${sshTarget}${encodedPath(path)}`;
}

/** A `command:` URI running `command` with these arguments (VS Code's form: JSON array in the query). */
function commandUri(command: string, args: unknown[]): string {
  return `command:${command}?${encodeURIComponent(JSON.stringify(args))}`;
}

const PATH_KEYS: Record<string, string> = {
  backup_dir: 'the backup folder (VM folders with their dated backups)',
  status_log: 'the status log (one line per VM per run)',
};

function localLink(key: string, path: string): Omit<DocumentLink, 'range'> {
  return { target: fileUri(path), tooltip: `Open ${PATH_KEYS[key]} on this machine` };
}

function remoteLink(key: string, path: string, sshTarget: string): Omit<DocumentLink, 'range'> | undefined {
  const uri = remoteFileUri(sshTarget, path);
  if (!uri) return undefined;
  if (key === 'status_log')
    return { target: uri, tooltip: `Open ${PATH_KEYS[key]} on ${sshTarget} (read-only, over ssh)` };
  return {
    target: commandUri(BROWSE_REMOTE_FOLDER_COMMAND, [uri]),
    tooltip: `List ${PATH_KEYS[key]} on ${sshTarget} (over ssh)`,
  };
}

export function documentLinks(context: FeatureContext): DocumentLink[] {
  const { runnerTransport, runnerSshTarget } = context.settings;
  const links: DocumentLink[] = [];
  for (const entry of context.analysis.config.entries) {
    if (!PATH_KEYS[entry.key] || !entry.value.startsWith('/')) continue;
    const link =
      runnerTransport === 'local'
        ? localLink(entry.key, entry.value)
        : remoteLink(entry.key, entry.value, runnerSshTarget);
    if (link) links.push({ range: entry.valueRange, ...link });
  }
  return links;
}
