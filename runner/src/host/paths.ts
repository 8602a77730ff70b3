// Small path rules both hosts share.

import { HostError } from './errors';

/**
 * Directory entries sorted by code point, like Python's sorted() on names (VmBackup sorts
 * `backup-YYYY-MM-DD-(hh:mm:ss)` folders this way). Comparing UTF-8 bytes gives code point
 * order; plain `<` on JS strings compares UTF-16 units and differs above U+FFFF.
 */
export function compareNames(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/**
 * remove() deletes whole trees: refuse the paths where a slip would be a disaster — the
 * root, an empty path, and any path that climbs with `..` or ends in `.` (`/backups/vm/..`
 * names the parent of what it seems to name). On Windows (the local host of a Windows
 * workstation) `\` separates components too, and a drive (`C:`, `C:\`) or a share
 * (`\\server\share`) is a root. Remote paths (ssh) are POSIX whatever the runner's platform.
 */
export function assertRemovable(path: string, platform: NodeJS.Platform = 'linux'): void {
  const windows = platform === 'win32';
  const components = path.split(windows ? /[\\/]/ : '/');
  const named = components.filter((part) => part !== '');
  const last = named.pop();
  const root = windows && (/^[A-Za-z]:$/.test(named[0] ?? last ?? '') ? named.length === 0 : isShareRoot(path));
  if (path.trim() === '' || last === undefined || last === '.' || components.includes('..') || root) {
    throw new HostError('EINVAL', `refusing to remove ${JSON.stringify(path)}: not a path below a backup directory`);
  }
}

/** `\\server\share` or `//server/share` (with or without a final separator): a share's root. */
function isShareRoot(path: string): boolean {
  return /^[\\/]{2}[^\\/]+[\\/]+[^\\/]+[\\/]*$/.test(path);
}
