// VM selection exactly as VmBackup v3.25 does it (vmbackup-behaviour.md §3): the file is
// processed line by line; excludes shrink the pool list `all` for the lines after them;
// selections append `VM` or `VM:N` entries; after the file, vdi-export wins over vm-export,
// each list is de-duplicated (a later entry replaces an earlier one in place) and excluded
// names are forced out. Pure: (parsed config, inventory) -> plan.

import type { EntryLine, ParsedConfig } from '../config/types';
import { isPlainName } from '../config/text';
import { resolveSettings } from '../config/settings';
import { compilePython } from '../pyre';
import { selectableVms, type Inventory, type InventoryVm } from '../pool/inventory';
import { applyCleanup } from './dedup';
import type { DroppedVm, ExcludedVm, LineOutcome, ListKind, PlanMessage, RawEntry, SelectionPlan, DuplicateName } from './types';

export const SELECTION_KEYS: ReadonlySet<string> = new Set<ListKind>(['vdi-export', 'vm-export', 'metadata-export']);

type Matcher = { ok: true; plain: true } | { ok: true; plain: false; regex: RegExp } | { ok: false; plain: false };

/** Compiles each distinct pattern once per plan (plain names compare by equality). */
function matcherCache(): (pattern: string) => Matcher {
  const cache = new Map<string, Matcher>();
  return (pattern) => {
    let m = cache.get(pattern);
    if (!m) {
      if (isPlainName(pattern)) {
        m = { ok: true, plain: true };
      } else {
        const compiled = compilePython(pattern);
        m = compiled.ok ? { ok: true, plain: false, regex: compiled.regex } : { ok: false, plain: false };
      }
      cache.set(pattern, m);
    }
    return m;
  };
}

/**
 * The pool list `all`: VM names in `xe vm-list` order (duplicates kept). Excluded names are
 * removed; `count` answers plain-name lookups without scanning.
 */
class PoolList {
  private names: string[];
  private readonly counts = new Map<string, number>();
  /** Set by remove(); the names array is compacted before the next regex scan. */
  private dirty = false;

  constructor(names: string[]) {
    this.names = names;
    for (const n of names) this.counts.set(n, (this.counts.get(n) ?? 0) + 1);
  }

  get empty(): boolean {
    return this.counts.size === 0;
  }

  /** Names matching, in order (each occurrence of a duplicated name). */
  matching(matcher: Extract<Matcher, { ok: true }>, pattern: string): string[] {
    if (matcher.plain) {
      const c = this.counts.get(pattern) ?? 0;
      return c === 0 ? [] : new Array<string>(c).fill(pattern);
    }
    if (this.dirty) {
      this.names = this.names.filter((n) => this.counts.has(n));
      this.dirty = false;
    }
    const out: string[] = [];
    const regex = matcher.regex;
    for (const n of this.names) if (regex.test(n)) out.push(n);
    return out;
  }

  remove(name: string): void {
    if (this.counts.delete(name)) this.dirty = true;
  }
}

function duplicateNames(inventory: Inventory): DuplicateName[] {
  // The original checks every non-snapshot VM record (vmbackup-behaviour.md §4).
  const byName = new Map<string, InventoryVm[]>();
  for (const vm of inventory.vms) {
    if (vm.isSnapshot) continue;
    const list = byName.get(vm.name);
    if (list) list.push(vm);
    else byName.set(vm.name, [vm]);
  }
  return [...byName.entries()].filter(([, vms]) => vms.length > 1).map(([name, vms]) => ({ name, vms }));
}

/** Python's `value.split(':')`: the name before the first ':' and N up to the next one. */
function splitSelection(entry: EntryLine): { name: string; suffix: string } {
  const suffixText = entry.suffix?.text ?? '';
  const colon = suffixText.indexOf(':');
  return { name: entry.name, suffix: colon === -1 ? suffixText : suffixText.slice(0, colon) };
}

export interface PlanOptions {
  /** Global max_backups; defaults to the config's effective value. */
  maxBackups?: number;
}

export function planSelection(config: ParsedConfig, inventory: Inventory, options: PlanOptions = {}): SelectionPlan {
  const selectable = selectableVms(inventory);
  const vmsByName = new Map<string, InventoryVm[]>();
  for (const vm of selectable) {
    const list = vmsByName.get(vm.name);
    if (list) list.push(vm);
    else vmsByName.set(vm.name, [vm]);
  }
  const all = new PoolList(selectable.map((vm) => vm.name));
  const match = matcherCache();
  const messages: PlanMessage[] = [];
  const lines: LineOutcome[] = [];
  const excluded: ExcludedVm[] = [];
  const excludedLine = new Map<string, number>();
  const excludedByName = new Map<string, ExcludedVm>();
  const dropped: DroppedVm[] = [];
  const raw: Record<ListKind, RawEntry[]> = { 'vdi-export': [], 'vm-export': [], 'metadata-export': [] };
  const vdiEntries = new Set<string>();
  const vdiLineOf = new Map<string, number>();
  const matchedBy = new Map<string, number[]>();
  let regexErrors = false;
  let matchWarnings = false;

  for (const entry of config.entries) {
    const key = entry.key;
    if (key === 'exclude') {
      const value = entry.value;
      if (value === '') {
        lines.push({ line: entry.line, key, status: 'ignored-empty', matched: [], plain: false });
        continue;
      }
      const m = match(value);
      if (!m.ok) {
        messages.push({ level: 'error', text: `***ERROR - invalid regex: ${key}=${value}`, line: entry.line, phase: 'load' });
        regexErrors = true;
        lines.push({ line: entry.line, key, status: 'invalid-regex', matched: [], plain: false });
        continue;
      }
      const matched = all.matching(m, value);
      lines.push({ line: entry.line, key, status: matched.length ? 'matched' : 'not-found', matched, plain: m.plain });
      if (matched.length === 0) {
        messages.push({ level: 'warning', text: `***WARNING - vm not found: ${key}=${value}`, line: entry.line, phase: 'load' });
        matchWarnings = true;
        continue;
      }
      for (const name of matched) {
        // A name leaves `all` when excluded, so only this line can add it (once per VM).
        let record = excludedByName.get(name);
        if (!record) {
          record = { name, line: entry.line, vms: vmsByName.get(name) ?? [], occurrences: 0 };
          excludedByName.set(name, record);
          excludedLine.set(name, entry.line);
          excluded.push(record);
        }
        record.occurrences++;
        all.remove(name);
      }
      continue;
    }
    if (!SELECTION_KEYS.has(key)) continue;
    const list = key as ListKind;
    if (all.empty) {
      lines.push({ line: entry.line, key, status: 'ignored-no-vms', matched: [], plain: isPlainName(entry.name) });
      continue;
    }
    if (list === 'vdi-export' && entry.value === '') {
      lines.push({ line: entry.line, key, status: 'ignored-empty', matched: [], plain: false });
      continue;
    }
    const { name: pattern, suffix } = splitSelection(entry);
    const m = match(pattern);
    if (!m.ok) {
      messages.push({ level: 'error', text: `***ERROR - invalid regex: ${key}=${entry.value}`, line: entry.line, phase: 'load' });
      regexErrors = true;
      lines.push({ line: entry.line, key, status: 'invalid-regex', matched: [], plain: false });
      continue;
    }
    const matched = all.matching(m, pattern);
    lines.push({ line: entry.line, key, status: matched.length ? 'matched' : 'not-found', matched, plain: m.plain });
    for (const name of matched) {
      const lines = matchedBy.get(name);
      if (!lines) matchedBy.set(name, [entry.line]);
      else if (lines[lines.length - 1] !== entry.line) lines.push(entry.line);
      const value = suffix === '' ? name : `${name}:${suffix}`;
      if (list === 'vm-export' && vdiEntries.has(name)) {
        dropped.push({ name, list, entry: value, line: entry.line, reason: 'vdi-export-precedence', becauseOf: vdiLineOf.get(name)! });
        continue;
      }
      raw[list].push({ name, entry: value, suffix, line: entry.line });
      if (list === 'vdi-export') {
        vdiEntries.add(value);
        if (!vdiLineOf.has(value)) vdiLineOf.set(value, entry.line);
      }
    }
    if (matched.length === 0) {
      messages.push({ level: 'warning', text: `***WARNING - vm not found: ${key}=${entry.value}`, line: entry.line, phase: 'load' });
      matchWarnings = true;
    }
  }

  const globalMaxBackups = options.maxBackups ?? resolveSettings(config).maxBackups;
  const cleaned = applyCleanup(raw, new Set(excludedLine.keys()), excludedLine, globalMaxBackups, vmsByName, matchedBy);
  messages.push(...cleaned.messages);
  dropped.push(...cleaned.dropped);
  // Settings validation then rejects a non-integer :N (vdi-export entries first).
  for (const vm of [...cleaned.vdiExport, ...cleaned.vmExport]) {
    if (vm.maxBackupsReason.kind === 'suffix-invalid') {
      messages.push({ level: 'error', text: `ERROR: vm_max_backup is invalid - ${vm.entry}`, line: vm.selectedBy, phase: 'cleanup' });
    }
  }
  const noVmsLoaded = cleaned.vdiExport.length === 0 && cleaned.vmExport.length === 0 && cleaned.metadataExport.length === 0;
  if (noVmsLoaded) messages.push({ level: 'error', text: 'ERROR no VMs loaded', phase: 'cleanup' });

  const duplicates = duplicateNames(inventory);
  messages.push({ level: 'info', text: 'Checking all VMs for duplicate names ...', phase: 'preview' });
  for (const d of duplicates) {
    const refs = d.vms.map((vm) => `'${vm.ref ?? vm.uuid}'`).join(', ');
    const line = matchedBy.get(d.name)?.[0];
    messages.push({ level: 'error', text: `*** ERROR: duplicate VM name found: ${d.name} | [${refs}]`, phase: 'preview', ...(line !== undefined ? { line } : {}) });
  }

  return {
    vdiExport: cleaned.vdiExport,
    vmExport: cleaned.vmExport,
    metadataExport: cleaned.metadataExport,
    excluded,
    dropped,
    lines,
    messages,
    globalMaxBackups,
    duplicateNames: duplicates,
    regexErrors,
    matchWarnings,
    noVmsLoaded,
  };
}
