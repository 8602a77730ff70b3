// Hover on a selection (vm-export, vdi-export, metadata-export) or exclude line: what it
// matches in the pool, what it finally backs up (with the `:N` that applies), what it matched
// but lost (to an exclude, to vdi-export, to a later line), and for a regex what it means.
import { compilePython, explainPattern, parsePython } from 'vmbackup-runner/pyre';
import { getKeySpec, isPlainName } from 'vmbackup-runner/config';
import type { EntryLine } from 'vmbackup-runner/config';
import type { InventoryDisk, InventoryVm } from 'vmbackup-runner/pool/inventory';
import { matchWithinBudget, regexBudget, type PlannedVm } from 'vmbackup-runner/select';
import { staleNote } from './poolText';
import type { FeatureContext } from './context';
import { code, formatSize } from './vmNames';

/** Long lists are cut here, with a count of the rest. */
export const HOVER_LIST_LIMIT = 15;

function patternPart(entry: EntryLine, pattern: string): string {
  if (pattern === '' && entry.key !== 'vm-export') return `An empty ${entry.key}= is ignored.`;
  if (pattern === '') return 'An **empty** vm-export value is the empty regex: it selects **every VM** of the pool.';
  if (isPlainName(pattern)) {
    return (
      `${code(pattern)} is a **plain name**: it selects only the VM named exactly ${code(pattern)} ` +
      '(case-sensitive).'
    );
  }
  return `${code(pattern)} is a **Python regex**${regexReading(pattern)}`;
}

const PREFIX_MATCH = 're.match is a prefix match';

/**
 * What a regex selects, said once. explainPattern already tells whether the names only have to
 * start that way (and says "prefix match" where that surprises), or must end or equal it
 * (`$`): the hover only puts the prefix match in bold. It says it itself only for a regex
 * that cannot be previewed, where the explanation cannot.
 */
function regexReading(pattern: string): string {
  const explanation = explainPattern(pattern);
  const parsed = parsePython(pattern);
  const previewable = parsed.ok ? !parsed.unsupported : !parsed.error.unsupported;
  if (!previewable) {
    return (
      ', matched from the start of the name only — a **prefix match**: it also takes longer names that start ' +
      `the same way. ${explanation}`
    );
  }
  return `. ${explanation.replace(PREFIX_MATCH, 're.match is a **prefix match**')}`;
}

const diskText = (d: InventoryDisk) => `${d.device || `disk ${d.userdevice}`} ${formatSize(d.virtualSize)}`;

/** The disk vdi-export backs up, as the runner picks it (backup/metadata.ts bootDisk): xvda, else userdevice 0. */
function bootDiskOf(vm: InventoryVm): InventoryDisk | undefined {
  return vm.disks.find((d) => d.device === 'xvda') ?? vm.disks.find((d) => d.userdevice === '0');
}

/** `bootOnly`: a vdi-export line, which backs up only the boot disk: show that one. */
function vmDetails(vm: InventoryVm | undefined, bootOnly = false): string {
  if (!vm) return '';
  if (bootOnly) {
    const boot = bootDiskOf(vm);
    const others = vm.disks.length - (boot ? 1 : 0);
    const rest = others > 0 ? ` (not the other ${others === 1 ? 'disk' : `${others} disks`})` : '';
    return ` · ${vm.powerState} · ${boot ? `${diskText(boot)} only${rest}` : 'no boot disk (xvda) to export'}`;
  }
  const disks = vm.disks.map(diskText).join(', ');
  return ` · ${vm.powerState}${disks ? ` · ${disks}` : ' · no disks'}`;
}

/** The first HOVER_LIST_LIMIT items rendered (only those), then a count of the rest. */
function bounded<T>(items: readonly T[], render: (item: T) => string = String): string {
  const shown = items.slice(0, HOVER_LIST_LIMIT).map(render);
  if (items.length > shown.length) shown.push(`- … and ${items.length - shown.length} more (${items.length} in total)`);
  return shown.join('\n');
}

function keepText(vm: PlannedVm, line: number): string {
  const reason = vm.maxBackupsReason;
  switch (reason.kind) {
    case 'suffix':
      return (
        `keeps ${vm.maxBackups}` +
        `${reason.line === line ? ` (\`:${reason.n}\`)` : ` (\`:${reason.n}\` from line ${reason.line + 1})`}`
      );
    case 'suffix-not-positive':
      return `keeps ${vm.maxBackups} (\`:${reason.text}\` is not >= 1, so max_backups applies)`;
    case 'suffix-invalid':
      return `\`:${reason.text}\` is not an integer: the original stops`;
    case 'suffix-lost':
      return (
        `keeps ${vm.maxBackups} (\`:${reason.n}\` from line ${reason.line + 1} is lost to line ` +
        `${reason.lostTo + 1})`
      );
    default:
      return `keeps ${vm.maxBackups} (max_backups)`;
  }
}

function poolLabel(context: FeatureContext): string {
  const { status, inventory } = context.pool;
  if (!inventory) return '';
  const name = inventory.poolName ? `pool ${code(inventory.poolName)}` : status.url;
  if (status.state === 'connected') return `*Live from ${name}.*`;
  const age = Math.max(0, Math.round((Date.now() - inventory.fetchedAt) / 60_000));
  const ago = age < 60 ? `${age} min` : age < 48 * 60 ? `${Math.round(age / 60)} h` : `${Math.round(age / 1440)} days`;
  // The status message ends with the same time in another form: said once.
  const reason = status.message.replace(staleNote(inventory.fetchedAt), '').trim();
  return (
    `⚠ *Stale: the VM list of ${name} as of ` +
    `${new Date(inventory.fetchedAt).toISOString().slice(0, 16).replace('T', ' ')} UTC (${ago} ago); not connected.*` +
    `${reason ? ` ${reason}` : ''}`
  );
}

function offlineHint(context: FeatureContext): string {
  const status = context.pool.status;
  if (!status.url)
    return (
      '*No pool configured.* Set `vmbackup.pool.url` (and `vmbackup.pool.user`), then run **VmBackup: Set Pool ' +
      'Password** to see the VMs this line selects.'
    );
  return (
    `*Not connected to ${status.url}:* ${status.message} Run **VmBackup: Set Pool Password** or **VmBackup: ` +
    'Connect to Pool** to see the VMs this line selects.'
  );
}

/** Excluded VMs this line would have matched had an earlier exclude not removed them. */
function excludedEarlier(context: FeatureContext, entry: EntryLine, pattern: string): string[] {
  const plan = context.selection.plan!;
  const compiled = isPlainName(pattern) ? undefined : compilePython(pattern);
  if (compiled && !compiled.ok) return [];
  // A hostile regex must not freeze the server: match within the time budget.
  const earlier = plan.excluded.filter((e) => e.line < entry.line).map((e) => e.name);
  const found = compiled?.ok
    ? matchWithinBudget([{ pattern, regex: compiled.regex }], earlier, regexBudget()).get(pattern)
    : undefined;
  if (found === 'too-expensive') return [];
  const matches = (name: string) => (found ? found.has(name) : name === pattern);
  return plan.excluded
    .filter((e) => e.line < entry.line && matches(e.name))
    .map((e) => `- ${code(e.name)} — excluded by line ${e.line + 1}`);
}

function selectionPart(context: FeatureContext, entry: EntryLine): string[] {
  const s = context.selection;
  const outcome = s.outcomeAt.get(entry.line);
  const parts: string[] = [];
  const lost: string[] = [];
  if (!outcome) return parts;
  if (outcome.status === 'regex-too-expensive')
    return [
      '**Regex too expensive**: it did not finish matching the VM names within the time budget; the run fails ' +
        '(VMB034).',
    ];
  if (outcome.status === 'invalid-regex')
    return ['**Invalid regex**: the original logs `***ERROR - invalid regex` and the run fails.'];
  if (outcome.status === 'ignored-empty') return ['Ignored (empty value).'];
  if (outcome.status === 'ignored-no-vms')
    return ['Ignored: no VMs are left to select at this line (all excluded, or the pool is empty).'];
  const planned = s.plannedBy.get(entry.line) ?? [];
  const unique = [...new Set(outcome.matched)];
  if (unique.length === 0) parts.push('**Matches no VM** in the pool (`***WARNING - vm not found`).');
  else {
    const verb =
      entry.key === 'metadata-export'
        ? 'exports the metadata of'
        : entry.key === 'vdi-export'
          ? 'backs up only the boot disk (xvda) of'
          : 'backs up';
    parts.push(
      `**This line ${verb} ${planned.length} VM${planned.length === 1 ? '' : 's'}** (matched ${unique.length}):`,
    );
    if (planned.length) {
      parts.push(
        bounded(
          planned,
          (vm) =>
            `- ${code(vm.name)}${vmDetails(vm.vms[0], entry.key === 'vdi-export')} · ${keepText(vm, entry.line)}` +
            `${vm.vms.length > 1 ? ` · ⚠ ${vm.vms.length} VMs have this name` : ''}`,
        ),
      );
    }
  }
  for (const d of s.droppedAt.get(entry.line) ?? []) {
    const because = d.becauseOf !== undefined ? ` on line ${d.becauseOf + 1}` : '';
    const why =
      d.reason === 'forced-exclude'
        ? `excluded${because} (late exclude: forced out after loading)`
        : `taken by vdi-export${because} (vdi-export wins)`;
    lost.push(`- ${code(d.name)} — ${why}`);
  }
  for (const vm of s.replacedAt.get(entry.line) ?? []) {
    lost.push(
      `- ${code(vm.name)} — replaced by line ${vm.selectedBy + 1} (the later entry wins` +
        `${vm.maxBackupsReason.kind === 'suffix-lost' ? ', and this `:N` is lost' : ''})`,
    );
  }
  lost.push(...excludedEarlier(context, entry, entry.name));
  // Two VMs with one name give the same reason twice: say it once.
  const reasons = [...new Set(lost)];
  if (reasons.length) parts.push(`**Matched but not backed up by this line (${reasons.length}):**`, bounded(reasons));
  return parts;
}

function excludePart(context: FeatureContext, entry: EntryLine): string[] {
  const s = context.selection;
  const outcome = s.outcomeAt.get(entry.line);
  if (!outcome) return [];
  if (outcome.status === 'regex-too-expensive')
    return [
      '**Regex too expensive**: it did not finish matching the VM names within the time budget; the run fails ' +
        '(VMB034).',
    ];
  if (outcome.status === 'invalid-regex')
    return ['**Invalid regex**: the original logs `***ERROR - invalid regex` and the run fails.'];
  if (outcome.status === 'ignored-empty') return ['Ignored (empty value).'];
  const removed = s.plan!.excluded.filter((e) => e.line === entry.line);
  if (removed.length === 0) {
    const already = excludedEarlier(context, entry, entry.value);
    return [
      '**Removes no VM**' +
        `${already.length ? ': what it matches was excluded earlier' : ' (`***WARNING - vm not found`)'}.`,
      ...(already.length ? [bounded(already)] : []),
    ];
  }
  const forced = s.plan!.dropped.filter((d) => d.reason === 'forced-exclude' && d.becauseOf === entry.line);
  const parts = [
    `**Removes ${removed.length} VM${removed.length === 1 ? '' : 's'}** from the selection lines after it:`,
  ];
  parts.push(bounded(removed, (e) => `- ${code(e.name)}${vmDetails(e.vms[0])}`));
  if (forced.length) {
    parts.push(
      `⚠ This exclude comes after selections; ${forced.length} VM${forced.length === 1 ? '' : 's'} selected above it ` +
        `${forced.length === 1 ? 'is' : 'are'} only dropped by the final clean-up (v3.25; older versions back ` +
        `${forced.length === 1 ? 'it' : 'them'} up).`,
    );
  }
  return parts;
}

export function selectionHover(context: FeatureContext, entry: EntryLine, onKey: boolean): string {
  const spec = getKeySpec(entry.key)!;
  const pattern = entry.key === 'exclude' ? entry.value : entry.name;
  const parts = [code(`${entry.key}=${entry.value}`), patternPart(entry, pattern)];
  if (context.selection.plan) {
    parts.push(...(entry.key === 'exclude' ? excludePart(context, entry) : selectionPart(context, entry)));
    parts.push(poolLabel(context));
  } else {
    parts.push(offlineHint(context));
  }
  if (onKey) parts.push('---', spec.doc);
  return parts.join('\n\n');
}
