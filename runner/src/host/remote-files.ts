// The file half of the ssh host, in two interchangeable implementations: SFTP (default: a
// packet per operation on the open connection, no remote shell) and shell scripts (for a
// server whose sftp subsystem is disabled).

import type { LockFiles } from './lock';
import type { Host } from './types';

export type RemoteFiles = Pick<
  Host,
  'freeBytes' | 'stat' | 'list' | 'mkdir' | 'readFile' | 'readStream' | 'writeFile' | 'appendFile' | 'remove' | 'rename'
> & {
  readonly lockFiles: LockFiles;
  close(): Promise<void>;
};

/** The last component of a path, as FileInfo.name. */
export function baseName(path: string): string {
  return path.split('/').filter(Boolean).pop() ?? path;
}
