// The selection view of a document against the pool snapshot: which VMs each line selects,
// excludes or loses, and the diagnostics that need VMs.
import type { Inventory } from '../../../runner/src/pool/inventory';
import type { ConfigDiagnostic } from '../../../runner/src/config/types';
import type { ConfigAnalysis } from './analysis';

export interface SelectionAnalysis {
  inventory?: Inventory;
  diagnostics: ConfigDiagnostic[];
}

export function analyseSelection(_analysis: ConfigAnalysis, inventory: Inventory | undefined): SelectionAnalysis {
  return { inventory, diagnostics: [] };
}
