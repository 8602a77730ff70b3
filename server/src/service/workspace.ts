// Features across every VmBackup config of the workspace (open documents and files on disk),
// pure functions of (configs, pool snapshot): which lines back a VM up (references), renaming
// a VM name across configs, pool coverage (VMs no config backs up, VMs backed up twice), and
// the config-side diagnostic of a VM another config backs up too.
import type { Location, TextEdit, WorkspaceEdit } from 'vscode-languageserver';
import { CODES, getKeySpec, KEY_SCHEMA, isPlainName } from '../../../runner/src/config';
import type { ConfigDiagnostic, EntryLine, ParsedConfig } from '../../../runner/src/config/types';
import { suggestKey } from '../../../runner/src/config/suggest';
import { compilePython } from '../../../runner/src/pyre';
import { selectableVms, type Inventory } from '../../../runner/src/pool/inventory';
import { planSelection, SELECTION_KEYS, type ListKind, type SelectionPlan } from '../../../runner/src/select';

/** One config of the workspace: its URI and parsed text. */
export interface WorkspaceConfig {
  uri: string;
  config: ParsedConfig;
}

const CHARACTERISTIC_KEYS = new Set(['vm-export', 'vdi-export', 'exclude', 'max_backups']);
const ALL_KEYS: readonly string[] = KEY_SCHEMA.map((s) => s.key);
/** Paths the manifest gives the VmBackup language (package.json filenamePatterns). */
const CONFIG_PATH = /(\.vmbackup\.cfg$|\/(NAUbackup|VmBackup)\/.*\.cfg$)/;

/**
 * A `.cfg` worth checking as a VmBackup config: named like one, or (as the configs that most
 * need checking have typos) most entry lines use a VmBackup key or a near miss of one and one of
 * them selects, excludes or sets max_backups. Other `.cfg` formats (setup.cfg, INI sections)
 * are left alone.
 */
export function looksLikeVmBackupConfig(path: string, text: string): boolean {
  if (!path.endsWith('.cfg') || text.length > 1024 * 1024) return false;
  if (CONFIG_PATH.test(path)) return true;
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  if (lines.length === 0) return false;
  let known = 0;
  let characteristic = false;
  for (const line of lines) {
    const eq = line.indexOf('=');
    if (line.startsWith('[')) return false; // an INI section: another format
    const key = (eq === -1 ? line.split(/[\s:]/)[0]! : line.slice(0, eq)).trim();
    const resolved = getKeySpec(key) ? key : suggestKey(key, ALL_KEYS);
    if (!resolved) continue;
    known++;
    if (CHARACTERISTIC_KEYS.has(resolved)) characteristic = true;
  }
  return characteristic && known * 2 > lines.length;
}

/** A line of a config that backs up a VM, with the list it puts it in. */
export interface BackupLine {
  uri: string;
  line: number;
  list: ListKind;
  entry: EntryLine;
}

/** The selection lines of each config that finally back up `name` (the runner's plan with a pool). */
export function linesBackingUp(
  configs: readonly WorkspaceConfig[],
  name: string,
  inventory: Inventory | undefined,
): BackupLine[] {
  const out: BackupLine[] = [];
  for (const { uri, config } of configs) {
    const entryAt = new Map(config.entries.map((e) => [e.line, e]));
    if (inventory) {
      const plan = planSelection(config, inventory);
      for (const vm of [...plan.vdiExport, ...plan.vmExport, ...plan.metadataExport]) {
        if (vm.name !== name) continue;
        out.push({ uri, line: vm.selectedBy, list: vm.list, entry: entryAt.get(vm.selectedBy)! });
      }
      continue;
    }
    // Without a pool: the selection lines whose name or regex matches the name.
    for (const entry of config.entries) {
      if (!SELECTION_KEYS.has(entry.key) || !nameMatches(entry.name, name)) continue;
      out.push({ uri, line: entry.line, list: entry.key as ListKind, entry });
    }
  }
  return out.sort((a, b) => (a.uri < b.uri ? -1 : a.uri > b.uri ? 1 : a.line - b.line));
}

function nameMatches(pattern: string, name: string): boolean {
  if (pattern === '') return true;
  if (isPlainName(pattern)) return pattern === name;
  const compiled = compilePython(pattern);
  return compiled.ok && compiled.regex.test(name);
}

export function toLocations(lines: readonly BackupLine[]): Location[] {
  return lines.map((l) => ({ uri: l.uri, range: l.entry.nameRange }));
}

/**
 * Rename a VM name in every config: every selection or exclude whose name part is exactly
 * that plain name. Regexes are left as they are (which of them should still match is a
 * decision for the user). Only the text changes: the VM in the pool keeps its name.
 */
export function renameVmEdits(configs: readonly WorkspaceConfig[], oldName: string, newName: string): WorkspaceEdit {
  const changes: Record<string, TextEdit[]> = {};
  for (const { uri, config } of configs) {
    const edits: TextEdit[] = [];
    for (const entry of config.entries) {
      const spec = getKeySpec(entry.key);
      if (!spec || spec.kind === 'scalar') continue;
      const pattern = entry.key === 'exclude' ? entry.value : entry.name;
      if (pattern !== oldName) continue;
      edits.push({ range: entry.key === 'exclude' ? entry.valueRange : entry.nameRange, newText: newName });
    }
    if (edits.length) changes[uri] = edits;
  }
  return { changes };
}

/** Which config backs up which VM, the VMs none backs up, and the VMs more than one backs up. */
/** The coverage of the pool by the configs (protocol.ts documents it as CoverageReport). */
export interface Coverage {
  configs: string[];
  vms: Array<{ name: string; uuid: string; powerState: string; backedUpBy: Array<{ uri: string; line: number; list: ListKind }> }>;
  notBackedUp: string[];
  backedUpTwice: string[];
}

export function coverage(configs: readonly WorkspaceConfig[], inventory: Inventory): Coverage {
  const byName = new Map<string, Array<{ uri: string; line: number; list: ListKind }>>();
  for (const { uri, config } of configs) {
    const plan = planSelection(config, inventory);
    for (const vm of [...plan.vdiExport, ...plan.vmExport, ...plan.metadataExport]) {
      const list = byName.get(vm.name) ?? [];
      list.push({ uri, line: vm.selectedBy, list: vm.list });
      byName.set(vm.name, list);
    }
  }
  const vms = selectableVms(inventory).map((vm) => ({
    name: vm.name,
    uuid: vm.uuid,
    powerState: vm.powerState,
    backedUpBy: byName.get(vm.name) ?? [],
  }));
  const configsOf = (v: (typeof vms)[number]) =>
    new Set(v.backedUpBy.filter((b) => b.list !== 'metadata-export').map((b) => b.uri)).size;
  return {
    configs: configs.map((c) => c.uri),
    vms,
    notBackedUp: vms.filter((v) => v.backedUpBy.length === 0).map((v) => v.uuid),
    backedUpTwice: vms.filter((v) => configsOf(v) > 1).map((v) => v.uuid),
  };
}

/** The lines of one config that back up a VM by vm-export or vdi-export, from its plan. */
export function backupLinesOf(
  uri: string,
  config: ParsedConfig,
  plan: SelectionPlan,
): Array<BackupLine & { name: string }> {
  const entryAt = new Map(config.entries.map((e) => [e.line, e]));
  return [...plan.vdiExport, ...plan.vmExport].map((vm) => ({
    uri,
    line: vm.selectedBy,
    list: vm.list,
    entry: entryAt.get(vm.selectedBy)!,
    name: vm.name,
  }));
}

/** VM name -> the lines backing it up, over the given lines of several configs. */
export function indexByVm(lines: Iterable<BackupLine & { name: string }>): Map<string, BackupLine[]> {
  const index = new Map<string, BackupLine[]>();
  for (const line of lines) {
    const list = index.get(line.name) ?? [];
    list.push(line);
    index.set(line.name, list);
  }
  return index;
}

/** Every line of every config that backs up each VM name (vm-export / vdi-export), with a pool. */
export function backupIndex(configs: readonly WorkspaceConfig[], inventory: Inventory): Map<string, BackupLine[]> {
  return indexByVm(configs.flatMap(({ uri, config }) => backupLinesOf(uri, config, planSelection(config, inventory))));
}

/**
 * VMB047 (information): a VM this config backs up that another config of the workspace backs
 * up too (two exports of one VM, two retention counts on one folder). `index` comes from
 * backupIndex over the workspace's configs (this one's own lines are ignored in it).
 */
export function crossConfigDiagnostics(
  uri: string,
  config: ParsedConfig,
  plan: SelectionPlan | undefined,
  index: ReadonlyMap<string, BackupLine[]>,
): ConfigDiagnostic[] {
  if (!plan || index.size === 0) return [];
  const entryAt = new Map(config.entries.map((e) => [e.line, e]));
  const out: ConfigDiagnostic[] = [];
  for (const vm of [...plan.vdiExport, ...plan.vmExport]) {
    const lines = (index.get(vm.name) ?? []).filter((l) => l.uri !== uri);
    if (lines.length === 0) continue;
    const where = lines.map((l) => `${basename(l.uri)} line ${l.line + 1}`).join(', ');
    out.push({
      code: CODES.backedUpByAnotherConfig,
      severity: 'information',
      range: entryAt.get(vm.selectedBy)!.nameRange,
      message: `'${vm.name}' is also backed up by ${where}: two configs back up this VM.`,
    });
  }
  return out;
}

function basename(uri: string): string {
  return decodeURIComponent(uri.slice(uri.lastIndexOf('/') + 1));
}
