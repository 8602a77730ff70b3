// The VmBackup configs of the workspace that are not open: found by scanning the workspace
// folders (or given by the client), read from disk, parsed. Open documents always win over
// the copy on disk. Feeds "Check all VmBackup configs", references/rename across configs,
// pool coverage and VMB047.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseConfig } from '../../runner/src/config';
import type { ParsedConfig } from '../../runner/src/config/types';
import type { Inventory } from '../../runner/src/pool/inventory';
import { planSelection } from '../../runner/src/select';
import {
  backupLinesOf,
  indexByVm,
  looksLikeVmBackupConfig,
  type BackupLine,
  type WorkspaceConfig,
} from './service/workspace';

/** Folders never worth scanning. */
const SKIP_DIRS = new Set(['node_modules', '.git', '.hg', '.svn', 'dist', 'out']);
const MAX_FILES = 5000;
const MAX_DEPTH = 12;

export class WorkspaceConfigs {
  private folders: string[] = [];
  private readonly onDisk = new Map<string, ParsedConfig>();
  private scanned = false;
  /** Bumped whenever a config (open or on disk) changes: the VM index is rebuilt then. */
  private generation = 0;
  private readonly plans = new Map<
    string,
    { config: ParsedConfig; poolGeneration: number; lines: Array<BackupLine & { name: string }> }
  >();

  setFolders(uris: readonly string[]): void {
    this.folders = uris.filter((u) => u.startsWith('file:')).map((u) => fileURLToPath(u));
  }

  changed(): void {
    this.generation++;
  }

  /** True once some config besides the open ones is known (a scan ran or the client named files). */
  get active(): boolean {
    return this.scanned;
  }

  /**
   * Reads the given files (all of them are taken as configs), or scans the folders. Returns the
   * configs found and the files skipped.
   */
  async load(uris?: readonly string[]): Promise<{ found: string[]; skipped: number }> {
    this.scanned = true;
    this.changed();
    if (uris) {
      const found: string[] = [];
      for (const uri of uris) {
        const text = await this.read(uri);
        if (text === undefined) continue;
        this.onDisk.set(uri, parseConfig(text));
        found.push(uri);
      }
      return { found, skipped: 0 };
    }
    const files: string[] = [];
    for (const folder of this.folders) await collectCfg(folder, files, 0);
    const found: string[] = [];
    let skipped = 0;
    for (const path of files) {
      const uri = pathToFileURL(path).href;
      const text = await this.read(uri);
      if (text === undefined || !looksLikeVmBackupConfig(path, text)) {
        skipped++;
        this.onDisk.delete(uri);
        continue;
      }
      this.onDisk.set(uri, parseConfig(text));
      found.push(uri);
    }
    return { found, skipped };
  }

  /** Re-reads one file after it was closed (its diagnostics then come from the disk copy). */
  async reload(uri: string): Promise<ParsedConfig | undefined> {
    if (!this.onDisk.has(uri)) return undefined;
    const text = await this.read(uri);
    if (text === undefined) {
      this.onDisk.delete(uri);
      return undefined;
    }
    const config = parseConfig(text);
    this.onDisk.set(uri, config);
    this.changed();
    return config;
  }

  /**
   * A file changed on disk (workspace/didChangeWatchedFiles): re-read a known config, or take a
   * new file that looks like one once the workspace has been scanned. Returns whether the
   * configs changed; `removed` for a deleted or no longer matching file.
   */
  async fileChanged(uri: string, deleted: boolean): Promise<'updated' | 'removed' | 'ignored'> {
    if (!this.scanned) return 'ignored';
    const known = this.onDisk.has(uri);
    const text = deleted ? undefined : await this.read(uri);
    const path = uri.startsWith('file:') ? fileURLToPath(uri) : '';
    if (text === undefined || !looksLikeVmBackupConfig(path, text)) {
      if (!known) return 'ignored';
      this.onDisk.delete(uri);
      this.changed();
      return 'removed';
    }
    this.onDisk.set(uri, parseConfig(text));
    this.changed();
    return 'updated';
  }

  has(uri: string): boolean {
    return this.onDisk.has(uri);
  }

  /** Every config: the open ones (current text) and the others from disk. */
  all(open: readonly WorkspaceConfig[]): WorkspaceConfig[] {
    const openUris = new Set(open.map((c) => c.uri));
    return [
      ...open,
      ...[...this.onDisk].filter(([uri]) => !openUris.has(uri)).map(([uri, config]) => ({ uri, config })),
    ];
  }

  /**
   * VM name -> the lines of the OTHER configs that back it up. Each config is planned once per
   * version and pool (a document being typed in does not re-plan the others).
   */
  othersIndex(
    uri: string,
    open: readonly WorkspaceConfig[],
    inventory: Inventory,
    poolGeneration: number,
  ): Map<string, BackupLine[]> {
    const lines: Array<BackupLine & { name: string }> = [];
    const present = new Set<string>();
    for (const { uri: other, config } of this.all(open)) {
      present.add(other);
      if (other === uri) continue;
      let cached = this.plans.get(other);
      if (!cached || cached.config !== config || cached.poolGeneration !== poolGeneration) {
        cached = { config, poolGeneration, lines: backupLinesOf(other, config, planSelection(config, inventory)) };
        this.plans.set(other, cached);
      }
      lines.push(...cached.lines);
    }
    for (const known of this.plans.keys()) if (!present.has(known)) this.plans.delete(known);
    return indexByVm(lines);
  }

  private async read(uri: string): Promise<string | undefined> {
    try {
      const path = fileURLToPath(uri);
      const info = await stat(path);
      if (!info.isFile() || info.size > 1024 * 1024) return undefined;
      return await readFile(path, 'utf8');
    } catch {
      return undefined;
    }
  }
}

async function collectCfg(dir: string, out: string[], depth: number): Promise<void> {
  if (depth > MAX_DEPTH || out.length >= MAX_FILES) return;
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    if (out.length >= MAX_FILES) return;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIP_DIRS.has(entry.name) && !entry.name.startsWith('.')) await collectCfg(path, out, depth + 1);
    } else if (entry.isFile() && entry.name.endsWith('.cfg')) {
      out.push(path);
    }
  }
}
