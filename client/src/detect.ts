// Content detection for `.cfg` files that no filename pattern claimed. `.cfg` is shared with
// setup.cfg, tox.ini-style files, Kodi/Quake configs…, so a file is only taken as a VmBackup
// config when it is *clearly* one: every non-comment line is a `key=value` entry with a key
// VmBackup (or vmbackup) knows or a near miss of one (`max_backup`: exactly the files that most
// need checking), and at least one line selects or excludes VMs or sets max_backups. One
// section header, one `name = x` of another format, and it is only offered, never switched.
// Pure (no `vscode` import) so it is unit-tested directly.
import { parseConfig } from 'vmbackup-runner/config';
import { getKeySpec, KEY_SCHEMA } from 'vmbackup-runner/config';
import { suggestKey } from 'vmbackup-runner/config';
import { minimatch } from 'minimatch';

/** Keys of which at least one must be present: the lines that make a file a VmBackup config. */
const CHARACTERISTIC_KEYS = new Set(['vm-export', 'vdi-export', 'exclude', 'max_backups']);

/** Every key VmBackup or vmbackup knows: the list the runner's "did you mean" uses too. */
const KNOWN_KEYS: readonly string[] = KEY_SCHEMA.map((spec) => spec.key);

/** Larger files are not VmBackup configs (and are not worth scanning on open). */
const MAX_DETECT_LENGTH = 256 * 1024;

/** A key that is not one VmBackup knows but is a typo of one (`max_backup`, `VM-EXPORT`). */
export interface NearMiss {
  /** 1-based line. */
  line: number;
  key: string;
  suggestion: string;
}

export interface Detection {
  /**
   * `clear`: every line is a VmBackup key or a near miss of one, and one selects, excludes or
   * sets max_backups: opened as vmbackup by itself. `close`: mostly VmBackup lines, but with
   * others (a section header, unknown keys): the user is offered to open it as one. `no`: leave it.
   */
  verdict: 'clear' | 'close' | 'no';
  nearMisses: NearMiss[];
}

export function detectVmBackupConfig(text: string): Detection {
  const none: Detection = { verdict: 'no', nearMisses: [] };
  if (text.length === 0 || text.length > MAX_DETECT_LENGTH) return none;
  const parsed = parseConfig(text);
  let characteristic = false;
  let known = 0;
  let foreign = 0;
  const nearMisses: NearMiss[] = [];
  parsed.lines.forEach((line, index) => {
    if (line.kind === 'blank' || line.kind === 'comment') return;
    if (line.kind !== 'entry') {
      foreign++;
      return;
    }
    // The runner's own "did you mean" decides what a near miss is: one rule for both.
    const key = getKeySpec(line.key) ? line.key : suggestKey(line.key, KNOWN_KEYS);
    if (key === undefined) {
      foreign++;
      return;
    }
    if (key !== line.key) nearMisses.push({ line: index + 1, key: line.key, suggestion: key });
    known++;
    if (CHARACTERISTIC_KEYS.has(key)) characteristic = true;
  });
  if (!characteristic) return none;
  if (foreign === 0) return { verdict: 'clear', nearMisses };
  // Two thirds VmBackup lines, and at least two of them: worth asking, never switched unasked.
  if (known >= 2 && known >= 2 * foreign) return { verdict: 'close', nearMisses };
  return none;
}

export function isClearlyVmBackupConfig(text: string): boolean {
  return detectVmBackupConfig(text).verdict === 'clear';
}

/**
 * Languages VS Code gives a `.cfg` file by default (`properties` from the built-in ini extension,
 * or plain text when that is disabled).
 */
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
