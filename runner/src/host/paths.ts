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
 * names the parent of what it seems to name).
 */
export function assertRemovable(path: string): void {
  const components = path.split('/');
  const last = components.filter((part) => part !== '').pop();
  if (path.trim() === '' || last === undefined || last === '.' || components.includes('..')) {
    throw new HostError('EINVAL', `refusing to remove ${JSON.stringify(path)}: not a path below a backup directory`);
  }
}
