// Content detection for `.cfg` files that no filename pattern claimed. `.cfg` is shared with
// setup.cfg, tox.ini-style files, Kodi/Quake configs…, so a file is only taken as a VmBackup
// config when it is *clearly* one: every non-comment line is a `key=value` entry with a key
// VmBackup (or vmbackup) knows, and at least one line selects or excludes VMs or sets
// max_backups. One section header, one `name = x` of another format, and it stays as it is.
// Pure (no `vscode` import) so it is unit-tested directly.
import { parseConfig } from '../../runner/src/config/parse';
import { getKeySpec } from '../../runner/src/config/schema';
import { minimatch } from 'minimatch';

/** Keys of which at least one must be present: the lines that make a file a VmBackup config. */
const CHARACTERISTIC_KEYS = new Set(['vm-export', 'vdi-export', 'exclude', 'max_backups']);

/** Larger files are not VmBackup configs (and are not worth scanning on open). */
const MAX_DETECT_LENGTH = 256 * 1024;

export function isClearlyVmBackupConfig(text: string): boolean {
  if (text.length === 0 || text.length > MAX_DETECT_LENGTH) return false;
  const parsed = parseConfig(text);
  let characteristic = false;
  for (const line of parsed.lines) {
    if (line.kind === 'blank' || line.kind === 'comment') continue;
    if (line.kind === 'malformed') return false;
    if (!getKeySpec(line.key)) return false;
    if (CHARACTERISTIC_KEYS.has(line.key)) characteristic = true;
  }
  return characteristic;
}

/** Languages VS Code gives a `.cfg` file by default (`properties` from the built-in ini extension, or plain text when that is disabled). */
export const DEFAULT_CFG_LANGUAGES: ReadonlySet<string> = new Set(['properties', 'plaintext']);

export function isCfgPath(path: string): boolean {
  return path.toLowerCase().endsWith('.cfg');
}

/**
 * The language a `files.associations` entry gives this path, if any: the user decided, so
 * detection must not override it. Like VS Code, a pattern containing `/` is matched against
 * the whole path, any other pattern against the file name, ignoring case.
 */
export function userAssociation(fsPath: string, associations: Record<string, unknown> | undefined): string | undefined {
  if (!associations) return undefined;
  const path = fsPath.replace(/\\/g, '/');
  const base = path.slice(path.lastIndexOf('/') + 1);
  for (const [pattern, language] of Object.entries(associations)) {
    if (typeof language !== 'string') continue;
    const subject = pattern.includes('/') ? path : base;
    if (minimatch(subject, pattern, { nocase: true, dot: true, matchBase: false })) return language;
  }
  return undefined;
}
