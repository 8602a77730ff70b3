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
import { matchWithinBudget, regexBudgetFromEnv, type MatchResults, type PatternJob } from './matchBudget';
import { CODES } from '../config/codes';
import { isSuppressedAt } from '../config/suppression';
import type { DroppedVm, ExcludedVm, LineOutcome, ListKind, PlanMessage, RawEntry, SelectionPlan, DuplicateName } from './types';

export const SELECTION_KEYS: ReadonlySet<string> = new Set<ListKind>(['vdi-export', 'vm-export', 'metadata-export']);

type Matcher =
  | { ok: true; plain: true }
  | { ok: true; plain: false; matches: ReadonlySet<string> }
  | { ok: false; plain: false; tooExpensive: boolean };

/** The pattern of an exclude line (its whole value) or a selection line (the part before ':'). */
function patternOf(entry: EntryLine): string {
  return entry.key === 'exclude' ? entry.value : splitSelection(entry).name;
}

/** The regexes of every exclude and selection line that compile (plain names need none). */
export function patternJobs(config: ParsedConfig): PatternJob[] {
  const jobs: PatternJob[] = [];
  const seen = new Set<string>();
  for (const entry of config.entries) {
    if (entry.key !== 'exclude' && !SELECTION_KEYS.has(entry.key)) continue;
    const pattern = patternOf(entry);
    if (seen.has(pattern) || isPlainName(pattern)) continue;
    seen.add(pattern);
    const compiled = compilePython(pattern);
    if (compiled.ok) jobs.push({ pattern, regex: compiled.regex });
  }
  return jobs;
}

/** Each distinct pattern once per plan: plain names compare by equality, regexes by `results`. */
function matcherCache(results: MatchResults): (pattern: string) => Matcher {
  const cache = new Map<string, Matcher>();
  return (pattern) => {
    let m = cache.get(pattern);
    if (!m) {
      const result = isPlainName(pattern) ? undefined : results.get(pattern);
      if (isPlainName(pattern)) m = { ok: true, plain: true };
      else if (result === undefined) m = { ok: false, plain: false, tooExpensive: false };
      else if (result === 'too-expensive') m = { ok: false, plain: false, tooExpensive: true };
      else m = { ok: true, plain: false, matches: result };
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
    const matches = matcher.matches;
    for (const n of this.names) if (matches.has(n)) out.push(n);
    return out;
  }

  remove(name: string): void {
    if (this.counts.delete(name)) this.dirty = true;
  }
}

function duplicateNames(inventory: Inventory): Array<{ name: string; vms: InventoryVm[] }> {
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
  /** Milliseconds each regex may spend on the pool list; default VMBACKUP_REGEX_BUDGET_MS or 1000. */
  regexBudgetMs?: number;
  /** Regex results computed beforehand (e.g. in a worker: matchWorker.ts) for `patternJobs(config)`. */
  matches?: MatchResults;
}

/** Everything the original accumulates while it reads the file. */
interface LoadState {
  all: PoolList;
  match: (pattern: string) => Matcher;
  vmsByName: Map<string, InventoryVm[]>;
  messages: PlanMessage[];
  lines: LineOutcome[];
  excluded: ExcludedVm[];
  excludedByName: Map<string, ExcludedVm>;
  excludedLine: Map<string, number>;
  dropped: DroppedVm[];
  raw: Record<ListKind, RawEntry[]>;
  /** The vdi-export list's entries (`VM` or `VM:N`) and the line that added each. */
  vdiEntries: Map<string, number>;
  matchedBy: Map<string, number[]>;
  regexErrors: boolean;
}

/**
 * An invalid regex fails the run as in the original. A regex over the time budget (the
 * original would hang) fails it the same way, with its own message, instead of hanging.
 */
function unusableRegex(m: Extract<Matcher, { ok: false }>, entry: EntryLine, st: LoadState): void {
  const { key, value, line } = entry;
  const text = m.tooExpensive
    ? `***ERROR - regex too expensive (stopped after the time budget): ${key}=${value}`
    : `***ERROR - invalid regex: ${key}=${value}`;
  st.messages.push({ level: 'error', text, line, phase: 'load', code: m.tooExpensive ? CODES.regexTooExpensive : CODES.regexSyntax });
  st.regexErrors = true;
  st.lines.push({ line, key, status: m.tooExpensive ? 'regex-too-expensive' : 'invalid-regex', matched: [], plain: false });
}

/** `save_to_config_exclude`: matching VMs join the exclude list and leave `all`. */
function loadExclude(entry: EntryLine, st: LoadState): void {
  const { key, value, line } = entry;
  if (value === '') {
    st.lines.push({ line, key, status: 'ignored-empty', matched: [], plain: false });
    return;
  }
  const m = st.match(value);
  if (!m.ok) {
    unusableRegex(m, entry, st);
    return;
  }
  const matched = st.all.matching(m, value);
  st.lines.push({ line, key, status: matched.length ? 'matched' : 'not-found', matched, plain: m.plain });
  if (matched.length === 0) {
    st.messages.push({ level: 'warning', text: `***WARNING - vm not found: ${key}=${value}`, line, phase: 'load', code: CODES.matchesNoVm });
    return;
  }
  for (const name of matched) {
    // A name leaves `all` when excluded, so only this line can add it (once per VM).
    let record = st.excludedByName.get(name);
    if (!record) {
      record = { name, line, vms: st.vmsByName.get(name) ?? [], occurrences: 0 };
      st.excludedByName.set(name, record);
      st.excludedLine.set(name, line);
      st.excluded.push(record);
    }
    record.occurrences++;
    st.all.remove(name);
  }
}

/** `save_to_config_export`: every VM of `all` that matches is appended as `VM` or `VM:N`. */
function loadSelection(entry: EntryLine, list: ListKind, st: LoadState): void {
  const { key, line } = entry;
  if (st.all.empty) {
    st.lines.push({ line, key, status: 'ignored-no-vms', matched: [], plain: isPlainName(entry.name) });
    return;
  }
  if (list === 'vdi-export' && entry.value === '') {
    st.lines.push({ line, key, status: 'ignored-empty', matched: [], plain: false });
    return;
  }
  const { name: pattern, suffix } = splitSelection(entry);
  const m = st.match(pattern);
  if (!m.ok) {
    unusableRegex(m, entry, st);
    return;
  }
  const matched = st.all.matching(m, pattern);
  st.lines.push({ line, key, status: matched.length ? 'matched' : 'not-found', matched, plain: m.plain });
  for (const name of matched) {
    const seen = st.matchedBy.get(name);
    if (!seen) st.matchedBy.set(name, [line]);
    else if (seen[seen.length - 1] !== line) seen.push(line);
    const value = suffix === '' ? name : `${name}:${suffix}`;
    // The original checks `vm in config['vdi-export']`: the bare name against `VM`/`VM:N` entries.
    const vdiLine = list === 'vm-export' ? st.vdiEntries.get(name) : undefined;
    if (vdiLine !== undefined) {
      st.dropped.push({ name, list, entry: value, line, reason: 'vdi-export-precedence', becauseOf: vdiLine });
      continue;
    }
    st.raw[list].push({ name, entry: value, suffix, line });
    if (list === 'vdi-export' && !st.vdiEntries.has(value)) st.vdiEntries.set(value, line);
  }
  if (matched.length === 0) {
    st.messages.push({ level: 'warning', text: `***WARNING - vm not found: ${key}=${entry.value}`, line, phase: 'load', code: CODES.matchesNoVm });
  }
}

/** Warnings a `# vmbackup-disable-next-line` comment silences become information (the editor hides them too). */
function silenceSuppressed(config: ParsedConfig, messages: PlanMessage[]): void {
  for (const m of messages) {
    if (m.level !== 'warning' || m.code === undefined || m.line === undefined) continue;
    if (!isSuppressedAt(config, m.line, m.code, 'warning')) continue;
    m.level = 'info';
    m.suppressed = true;
    m.text += ` (${m.code} suppressed by line ${m.line})`;
  }
}

export function planSelection(config: ParsedConfig, inventory: Inventory, options: PlanOptions = {}): SelectionPlan {
  const selectable = selectableVms(inventory);
  const vmsByName = new Map<string, InventoryVm[]>();
  for (const vm of selectable) {
    const list = vmsByName.get(vm.name);
    if (list) list.push(vm);
    else vmsByName.set(vm.name, [vm]);
  }
  const poolNames = selectable.map((vm) => vm.name);
  const results = options.matches ?? matchWithinBudget(patternJobs(config), poolNames, options.regexBudgetMs ?? regexBudgetFromEnv());
  const st: LoadState = {
    all: new PoolList(poolNames),
    match: matcherCache(results),
    vmsByName,
    messages: [],
    lines: [],
    excluded: [],
    excludedByName: new Map(),
    excludedLine: new Map(),
    dropped: [],
    raw: { 'vdi-export': [], 'vm-export': [], 'metadata-export': [] },
    vdiEntries: new Map(),
    matchedBy: new Map(),
    regexErrors: false,
  };
  for (const entry of config.entries) {
    if (entry.key === 'exclude') loadExclude(entry, st);
    else if (SELECTION_KEYS.has(entry.key)) loadSelection(entry, entry.key as ListKind, st);
  }

  const { messages, dropped } = st;
  const globalMaxBackups = options.maxBackups ?? resolveSettings(config).maxBackups;
  const cleaned = applyCleanup(st.raw, new Set(st.excludedLine.keys()), st.excludedLine, globalMaxBackups, vmsByName, st.matchedBy);
  messages.push(...cleaned.messages);
  dropped.push(...cleaned.dropped);
  // Settings validation then rejects a non-integer :N (vdi-export entries first).
  for (const vm of [...cleaned.vdiExport, ...cleaned.vmExport]) {
    if (vm.maxBackupsReason.kind === 'suffix-invalid') {
      messages.push({ level: 'error', text: `ERROR: vm_max_backup is invalid - ${vm.entry}`, line: vm.selectedBy, phase: 'validate', code: CODES.suffixNotInteger });
    }
  }
  const noVmsLoaded = cleaned.vdiExport.length === 0 && cleaned.vmExport.length === 0 && cleaned.metadataExport.length === 0;
  if (noVmsLoaded) messages.push({ level: 'error', text: 'ERROR no VMs loaded', phase: 'validate', code: CODES.noVmsLoaded });

  const selected = new Set([...cleaned.vdiExport, ...cleaned.vmExport, ...cleaned.metadataExport].map((vm) => vm.name));
  const firstSelection = config.entries.find((e) => SELECTION_KEYS.has(e.key))?.line;
  const duplicates = duplicateNames(inventory).map((d): DuplicateName => {
    const line = st.matchedBy.get(d.name)?.[0] ?? firstSelection;
    return { ...d, selected: selected.has(d.name), ...(line !== undefined ? { line } : {}) };
  });
  messages.push({ level: 'info', text: 'Checking all VMs for duplicate names ...', phase: 'preview' });
  for (const d of duplicates) {
    const refs = d.vms.map((vm) => `'${vm.ref ?? vm.uuid}'`).join(', ');
    // The original's line, word for word; it fails the run only for a VM this config backs up.
    messages.push({
      level: d.selected ? 'error' : 'warning',
      text: `*** ERROR: duplicate VM name found: ${d.name} | [${refs}]`,
      phase: 'preview',
      code: d.selected ? CODES.duplicateVmName : CODES.duplicateVmNameNotSelected,
      ...(d.line !== undefined ? { line: d.line } : {}),
    });
  }
  silenceSuppressed(config, messages);
  const matchWarnings = messages.some((m) => m.code === CODES.matchesNoVm && m.level === 'warning');

  return {
    vdiExport: cleaned.vdiExport,
    vmExport: cleaned.vmExport,
    metadataExport: cleaned.metadataExport,
    excluded: st.excluded,
    dropped,
    lines: st.lines,
    messages,
    globalMaxBackups,
    duplicateNames: duplicates,
    regexErrors: st.regexErrors,
    matchWarnings,
    noVmsLoaded,
  };
}
