// Diagnostics that need the pool: what the selection actually does with these VMs
// (VMB040-VMB045). Pure function of (config, inventory, plan).

import type { ConfigDiagnostic, EntryLine, Fix, ParsedConfig, Range, RelatedLocation } from '../config/types';
import { isPlainName } from '../config/text';
import { lateExcludesFix, moveLineAfterFix } from '../config/fixes';
import { SELECTION_KEYS } from './plan';
import { CODES } from '../config/codes';
import type { Inventory } from '../pool/inventory';
import { selectableVms } from '../pool/inventory';
import type { SelectionPlan } from './types';

function list(names: string[], max = 5): string {
  const unique = [...new Set(names)];
  const shown = unique
    .slice(0, max)
    .map((n) => `'${n}'`)
    .join(', ');
  return unique.length > max ? `${shown} and ${unique.length - max} more` : shown;
}

function nameRangeOf(entry: EntryLine): Range {
  return entry.value === '' ? entry.keyRange : entry.nameRange;
}

/**
 * "Did you mean": the first pool name (in pool order) that equals the pattern ignoring case,
 * or equals the pattern without its surrounding blanks. The lookups are built once per call so
 * that many unmatched lines against a large pool stay linear.
 */
function similarNameFinder(poolNames: Set<string>): (pattern: string) => string | undefined {
  const order = new Map<string, number>();
  const firstByLowercase = new Map<string, string>();
  for (const name of poolNames) {
    order.set(name, order.size);
    const lower = name.toLowerCase();
    if (!firstByLowercase.has(lower)) firstByLowercase.set(lower, name);
  }
  return (pattern) => {
    const byCase = firstByLowercase.get(pattern.toLowerCase());
    const trimmed = pattern.trim();
    const byBlanks = order.has(trimmed) ? trimmed : undefined;
    if (byCase === undefined || byBlanks === undefined) return byCase ?? byBlanks;
    return order.get(byCase)! <= order.get(byBlanks)! ? byCase : byBlanks;
  };
}

export function inventoryDiagnostics(
  config: ParsedConfig,
  inventory: Inventory,
  plan: SelectionPlan,
): ConfigDiagnostic[] {
  const out: ConfigDiagnostic[] = [];
  const entryAt = new Map<number, EntryLine>();
  for (const e of config.entries) entryAt.set(e.line, e);
  const related = (line: number, message: string): RelatedLocation => ({ range: entryAt.get(line)!.keyRange, message });
  const poolNames = new Set(selectableVms(inventory).map((vm) => vm.name));
  const excludedAt = new Map(plan.excluded.map((e) => [e.name, e.line]));
  const similarName = similarNameFinder(poolNames);

  // VMB040: matches nothing.
  for (const outcome of plan.lines) {
    if (outcome.status !== 'not-found') continue;
    const entry = entryAt.get(outcome.line)!;
    const pattern = entry.key === 'exclude' ? entry.value : entry.name;
    let why = '';
    const excludedBy = outcome.plain ? excludedAt.get(pattern) : undefined;
    if (excludedBy !== undefined && excludedBy < outcome.line) {
      why = ` It was excluded by line ${excludedBy + 1}.`;
    }
    let fix: Fix | undefined;
    if (!(excludedBy !== undefined && excludedBy < outcome.line) && outcome.plain) {
      const other = similarName(pattern);
      if (other) why = ` Did you mean '${other}'? (names are case-sensitive and blanks count)`;
      // The pool's name written as it is: only a plain name without edge blanks stays exact.
      if (other && isPlainName(other) && other.trim() === other) {
        const target = entry.key === 'exclude' ? entry.valueRange : entry.nameRange;
        fix = { title: `Change to '${other}'`, edits: [{ range: target, newText: other }] };
      }
    }
    const d: ConfigDiagnostic = {
      code: CODES.matchesNoVm,
      severity: 'warning',
      range: nameRangeOf(entry),
      message:
        `${entry.key} '${pattern}' matches no VM in the pool.${why} The original logs "***WARNING - vm not ` +
        `found: ${entry.key}=${entry.value}".`,
      ...(fix ? { fix } : {}),
    };
    if (excludedBy !== undefined && excludedBy < outcome.line) d.related = [related(excludedBy, 'excluded here')];
    out.push(d);
  }

  // VMB034: a regex that ran out of its time budget against the pool's names.
  for (const outcome of plan.lines) {
    if (outcome.status !== 'regex-too-expensive') continue;
    const entry = entryAt.get(outcome.line)!;
    out.push({
      code: CODES.regexTooExpensive,
      severity: 'error',
      range: nameRangeOf(entry),
      message:
        `This regex is too expensive: matching it against the pool's VM names did not finish within the time ` +
        'budget (nested repeats such as (a+)+ backtrack exponentially on some names), or JavaScript refused to run ' +
        'it. vmbackup stops matching it and the run fails; the original would hang. Rewrite it without nested or ' +
        'overlapping repeats, e.g. a+ instead of (a+)+.',
    });
  }

  // VMB041: a :N replaced by a later entry of the same VM.
  for (const vm of [...plan.vdiExport, ...plan.vmExport, ...plan.metadataExport]) {
    const finalSuffix = vm.entry.length > vm.name.length ? vm.entry.slice(vm.name.length + 1) : '';
    for (const r of vm.replaced) {
      if (r.suffix === '' || r.suffix === finalSuffix) continue;
      const entry = entryAt.get(r.line)!;
      out.push({
        code: CODES.suffixLost,
        severity: 'warning',
        range: entry.suffix?.range ?? entry.nameRange,
        message:
          `':${r.suffix}' for '${vm.name}' is lost: line ${vm.selectedBy + 1} selects it again and replaces ` +
          `this entry, so it keeps ${vm.maxBackups} backups (` +
          `${finalSuffix === '' ? 'the global max_backups' : `:${finalSuffix}`}). Put this line after line ` +
          `${vm.selectedBy + 1}, or give both the same :N.`,
        related: [related(vm.selectedBy, `'${vm.name}' selected again here`)],
        fix: moveLineAfterFix(
          config,
          r.line,
          vm.selectedBy,
          `Move this line after line ${vm.selectedBy + 1} (its :${r.suffix} then applies)`,
        ),
      });
    }
  }

  // VMB042 / VMB045: dropped VMs, grouped per line.
  const groups = new Map<string, { line: number; because: number; names: string[]; kind: 'vdi' | 'excluded' }>();
  for (const d of plan.dropped) {
    const kind = d.reason === 'forced-exclude' ? 'excluded' : 'vdi';
    const id = `${kind}:${d.line}:${d.becauseOf}`;
    const g = groups.get(id);
    if (g) g.names.push(d.name);
    else groups.set(id, { line: d.line, because: d.becauseOf ?? d.line, names: [d.name], kind });
  }
  const moveExcludes = lateExcludesFix(config);
  for (const g of groups.values()) {
    const entry = entryAt.get(g.line)!;
    if (g.kind === 'vdi') {
      out.push({
        code: CODES.inBothLists,
        severity: 'information',
        range: nameRangeOf(entry),
        message:
          `${list(g.names)} ${g.names.length === 1 ? 'is' : 'are'} also selected by vdi-export (line ` +
          `${g.because + 1}): vdi-export wins, this line does not back ${g.names.length === 1 ? 'it' : 'them'} up.`,
        related: [related(g.because, 'vdi-export here')],
      });
    } else {
      out.push({
        code: CODES.forcedExclude,
        severity: 'warning',
        range: nameRangeOf(entry),
        message:
          `${list(g.names)} ${g.names.length === 1 ? 'is' : 'are'} excluded by the later line ` +
          `${g.because + 1}: v3.25 drops ${g.names.length === 1 ? 'it' : 'them'} ("forcing exclude"), v3.1/v3.2 ` +
          `backed ${g.names.length === 1 ? 'it' : 'them'} up. Move the exclude above the first selection.`,
        related: [related(g.because, 'exclude here')],
        ...(moveExcludes ? { fix: moveExcludes } : {}),
      });
    }
  }

  // VMB043: a name this config backs up held by more than one VM, on every line that matches it.
  // VMB046: a duplicate name the config does not back up (the preview still logs the original's line).
  const duplicated = new Map(plan.duplicateNames.filter((d) => d.selected).map((d) => [d.name, d.vms.length]));
  if (duplicated.size > 0) {
    for (const outcome of plan.lines) {
      if (outcome.key === 'exclude' || outcome.status !== 'matched') continue;
      const names = outcome.matched.filter((n) => duplicated.has(n));
      if (names.length === 0) continue;
      const entry = entryAt.get(outcome.line)!;
      out.push({
        code: CODES.duplicateVmName,
        severity: 'error',
        range: nameRangeOf(entry),
        message:
          `${list(names)}: more than one VM has this name (` +
          `${[...new Set(names)].map((n) => `${duplicated.get(n)}x '${n}'`).join(', ')}). The original fails it with ` +
          '"ERROR more than one vm with the name"; rename the VMs in the pool.',
      });
    }
  }
  for (const d of plan.duplicateNames) {
    if (d.selected || d.line === undefined) continue;
    const entry = entryAt.get(d.line);
    if (!entry) continue;
    out.push({
      code: CODES.duplicateVmNameNotSelected,
      severity: 'warning',
      range: entry.keyRange,
      message:
        `The pool has ${d.vms.length} VMs named '${d.name}'. This config does not back it up, so the run does not ` +
        `fail, but the preview logs the original's "*** ERROR: duplicate VM name found: ${d.name}" as a warning. ` +
        'Rename the VMs in the pool so a later selection cannot hit them.',
    });
  }

  // VMB044: nothing selected. Not on a file that has no selection line yet (a new file being
  // written): there is nothing to point at, and the runner's "no VMs loaded" says it at run time.
  const first = config.entries.find((e) => SELECTION_KEYS.has(e.key));
  if (plan.noVmsLoaded && first) {
    out.push({
      code: CODES.noVmsLoaded,
      severity: 'error',
      range: first.keyRange,
      message:
        `No VM is selected${poolNames.size === 0 ? ' (the pool has no VMs)' : ''}. The original stops with ` +
        '"ERROR no VMs loaded".',
    });
  }
  return out.sort(
    (a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character,
  );
}
