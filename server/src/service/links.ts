// Document links on backup_dir and status_log: the folder and the status log as local file
// URIs when the runner works on this machine. With the ssh transport the paths are on the
// remote host: a file:// link would open a local path that is not the one the runner writes,
// so there is none (the hover of the key still shows the value).
import type { DocumentLink } from 'vscode-languageserver';
import type { FeatureContext } from './context';

/** `file://` URI of an absolute POSIX path, each segment percent-encoded (pure: no node:url). */
export function fileUri(path: string): string {
  return `file://${path.split('/').map(encodeURIComponent).join('/')}`;
}

const PATH_KEYS: Record<string, string> = {
  backup_dir: 'the backup folder (VM folders with their dated backups)',
  status_log: 'the status log (one line per VM per run)',
};

export function documentLinks(context: FeatureContext): DocumentLink[] {
  if (context.settings.runnerTransport !== 'local') return [];
  const links: DocumentLink[] = [];
  for (const entry of context.analysis.config.entries) {
    const what = PATH_KEYS[entry.key];
    if (!what || !entry.value.startsWith('/')) continue;
    links.push({
      range: entry.valueRange,
      target: fileUri(entry.value),
      tooltip: `Open ${what} on this machine`,
    });
  }
  return links;
}
