// The selection view of a document against the pool snapshot: the runner's plan (which VMs
// each line selects, excludes or loses, and why), indexed by line for hovers, lenses and
// hints, plus the diagnostics that need VMs.
import type { ConfigDiagnostic } from 'vmbackup-runner/config';
import type { Inventory, InventoryVm } from 'vmbackup-runner/pool/inventory';
import { inventoryDiagnostics, planSelection } from 'vmbackup-runner/select';
import type { DroppedVm, LineOutcome, PlannedVm, SelectionPlan } from 'vmbackup-runner/select';
import type { ConfigAnalysis } from './analysis';

export interface SelectionAnalysis {
  inventory?: Inventory;
  plan?: SelectionPlan;
  diagnostics: ConfigDiagnostic[];
  /** Per 0-based line: the line's outcome, VMs it finally backs up, VMs it matched but lost. */
  outcomeAt: Map<number, LineOutcome>;
  plannedBy: Map<number, PlannedVm[]>;
  droppedAt: Map<number, DroppedVm[]>;
  /** Entries of this line that a later line of the same list replaced: [vm, replacing line]. */
  replacedAt: Map<number, PlannedVm[]>;
  vmsByName: Map<string, InventoryVm[]>;
  /** Distinct VM names the whole file backs up. */
  selectedCount: number;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

export function analyseSelection(analysis: ConfigAnalysis, inventory: Inventory | undefined): SelectionAnalysis {
  const result: SelectionAnalysis = {
    inventory,
    diagnostics: [],
    outcomeAt: new Map(),
    plannedBy: new Map(),
    droppedAt: new Map(),
    replacedAt: new Map(),
    vmsByName: new Map(),
    selectedCount: 0,
  };
  if (!inventory) return result;
  const plan = planSelection(analysis.config, inventory, { maxBackups: analysis.effective.maxBackups });
  result.plan = plan;
  result.diagnostics = inventoryDiagnostics(analysis.config, inventory, plan);
  for (const outcome of plan.lines) result.outcomeAt.set(outcome.line, outcome);
  const names = new Set<string>();
  for (const vm of [...plan.vdiExport, ...plan.vmExport, ...plan.metadataExport]) {
    push(result.plannedBy, vm.selectedBy, vm);
    for (const replaced of vm.replaced) if (replaced.line !== vm.selectedBy) push(result.replacedAt, replaced.line, vm);
    names.add(vm.name);
  }
  result.selectedCount = names.size;
  for (const dropped of plan.dropped) push(result.droppedAt, dropped.line, dropped);
  for (const vm of inventory.vms) push(result.vmsByName, vm.name, vm);
  return result;
}
