// Small builders for selection tests: inventories from VM names, plans from config text.
import { parseConfig } from '../../runner/src/config';
import { planSelection, type SelectionPlan } from '../../runner/src/select';
import type { Inventory, InventoryVm } from '../../runner/src/pool/inventory';

export type VmSpec = string | (Partial<InventoryVm> & { name: string });

export function inventory(specs: VmSpec[]): Inventory {
  const vms = specs.map((s, i): InventoryVm => {
    const spec = typeof s === 'string' ? { name: s } : s;
    return {
      uuid: `00000000-0000-0000-0000-${String(i).padStart(12, '0')}`,
      ref: `OpaqueRef:${i}`,
      powerState: 'Running',
      isTemplate: false,
      isSnapshot: false,
      isControlDomain: false,
      disks: [],
      ...spec,
    };
  });
  return { vms, source: 'fixture', fetchedAt: 0 };
}

export function plan(text: string, specs: VmSpec[]): SelectionPlan {
  return planSelection(parseConfig(text), inventory(specs));
}

/** load + cleanup messages as `L<line1>: text` (1-based) or bare text. */
export function messages(p: SelectionPlan): string[] {
  return p.messages
    .filter((m) => m.phase !== 'preview')
    .map((m) => (m.line === undefined ? m.text : `L${m.line + 1}: ${m.text}`));
}

/** The seed README's weekend pool, in `xe vm-list` order. */
export const WEEKEND_POOL = [
  'PROD-ubuntu14',
  'PROD-ubuntu12-benchmark',
  'PROD-CentOS7-large-user-disks',
  'DEV-RH6',
  'DEV-RH7',
  'PROD-WinSvr',
];
