// The original's clean-up after reading the file (`cleanup_vmexport_vdiexport_dups` and
// `RemoveDup`): vdi-export wins over vm-export, then each list is de-duplicated by VM name
// where a later entry replaces an earlier one IN PLACE (so an earlier `:N` is lost), and any
// entry whose name is in the exclude list is dropped with "forcing exclude of".

import type { InventoryVm } from '../pool/inventory';
import { isPyInt, pyIntValue } from '../config/text';
import { CODES } from '../config/codes';
import type { DroppedVm, ListKind, MaxBackupsReason, PlanMessage, PlannedVm, RawEntry } from './types';

interface Slot {
  entry: RawEntry;
  replaced: RawEntry[];
}

export interface CleanupResult {
  vdiExport: PlannedVm[];
  vmExport: PlannedVm[];
  metadataExport: PlannedVm[];
  messages: PlanMessage[];
  dropped: DroppedVm[];
}

function maxBackupsOf(slot: Slot, global: number): { maxBackups: number; reason: MaxBackupsReason } {
  const { entry } = slot;
  if (entry.suffix === '') {
    const lost = [...slot.replaced].reverse().find((r) => r.suffix !== '');
    return lost
      ? { maxBackups: global, reason: { kind: 'suffix-lost', line: lost.line, n: lost.suffix, lostTo: entry.line } }
      : { maxBackups: global, reason: { kind: 'global' } };
  }
  if (!isPyInt(entry.suffix)) return { maxBackups: global, reason: { kind: 'suffix-invalid', line: entry.line, text: entry.suffix } };
  const n = pyIntValue(entry.suffix);
  if (n <= 0) return { maxBackups: global, reason: { kind: 'suffix-not-positive', line: entry.line, text: entry.suffix } };
  return { maxBackups: n, reason: { kind: 'suffix', line: entry.line, n } };
}

/** `RemoveDup` with the exact message sequence (an excluded duplicate warns twice). */
function removeDup(
  list: ListKind,
  entries: RawEntry[],
  excludeNames: ReadonlySet<string>,
  excludedLine: ReadonlyMap<string, number>,
  messages: PlanMessage[],
  dropped: DroppedVm[],
): Slot[] {
  const slots: Array<Slot | undefined> = [];
  const index = new Map<string, number>();
  const force = (e: RawEntry) => {
    messages.push({ level: 'warning', text: `***WARNING - forcing exclude of: ${e.entry} `, line: e.line, phase: 'cleanup', code: CODES.forcedExclude });
    dropped.push({ name: e.name, list, entry: e.entry, line: e.line, reason: 'forced-exclude', becauseOf: excludedLine.get(e.name)! });
  };
  for (const val of entries) {
    let accounted = false;
    const i = index.get(val.name);
    if (i !== undefined) {
      const old = slots[i]!;
      // Appended in place: copying the list on every repeat made n repeats of one VM O(n^2).
      old.replaced.push(old.entry);
      slots[i] = { entry: val, replaced: old.replaced };
      if (excludeNames.has(val.name)) {
        force(val);
        slots[i] = undefined;
        index.delete(val.name);
      }
      accounted = true;
    }
    if (excludeNames.has(val.name)) {
      force(val);
      accounted = true;
    }
    if (!accounted) {
      index.set(val.name, slots.length);
      slots.push({ entry: val, replaced: [] });
    }
  }
  return slots.filter((s): s is Slot => s !== undefined);
}

export function applyCleanup(
  raw: Record<ListKind, RawEntry[]>,
  excludeNames: ReadonlySet<string>,
  excludedLine: ReadonlyMap<string, number>,
  globalMaxBackups: number,
  vmsByName: ReadonlyMap<string, InventoryVm[]>,
  matchedBy: ReadonlyMap<string, number[]>,
): CleanupResult {
  const messages: PlanMessage[] = [];
  const dropped: DroppedVm[] = [];

  // vdi-export always wins: remove every vm-export entry of a vdi-export VM.
  const vmByName = new Map<string, RawEntry[]>();
  for (const e of raw['vm-export']) {
    const list = vmByName.get(e.name);
    if (list) list.push(e);
    else vmByName.set(e.name, [e]);
  }
  const removed = new Set<RawEntry>();
  for (const vdi of raw['vdi-export']) {
    const dups = vmByName.get(vdi.name);
    if (!dups) continue;
    vmByName.delete(vdi.name);
    for (const e of dups) {
      messages.push({ level: 'warning', text: `***WARNING vdi-export duplicate - removing vm-export=${e.entry}`, line: e.line, phase: 'cleanup', code: CODES.inBothLists });
      dropped.push({ name: e.name, list: 'vm-export', entry: e.entry, line: e.line, reason: 'vdi-export-duplicate', becauseOf: vdi.line });
      removed.add(e);
    }
  }
  const vmEntries = removed.size ? raw['vm-export'].filter((e) => !removed.has(e)) : raw['vm-export'];

  const plan = (list: ListKind, entries: RawEntry[]): PlannedVm[] =>
    removeDup(list, entries, excludeNames, excludedLine, messages, dropped).map((slot) => {
      const { maxBackups, reason } = maxBackupsOf(slot, globalMaxBackups);
      const e = slot.entry;
      return {
        name: e.name,
        list,
        entry: e.entry,
        vms: vmsByName.get(e.name) ?? [],
        maxBackups,
        maxBackupsReason: reason,
        selectedBy: e.line,
        replaced: slot.replaced,
        alsoMatchedBy: (matchedBy.get(e.name) ?? []).filter((l) => l !== e.line),
      };
    });

  const vdiExport = plan('vdi-export', raw['vdi-export']);
  const vmExport = plan('vm-export', vmEntries);
  const metadataExport = plan('metadata-export', raw['metadata-export']);
  return { vdiExport, vmExport, metadataExport, messages, dropped };
}
