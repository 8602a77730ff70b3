// Public API of VM selection. Pure functions: (parsed config, inventory) -> plan / diagnostics.

export * from './types';
export { planSelection, SELECTION_KEYS, type PlanOptions } from './plan';
export { renderSettingsBlock, compareCodePoints } from './render';
export { inventoryDiagnostics } from './diagnostics';
export { selectorToConfig, type SelectorResult } from './selector';
export { regexDiagnostics } from '../config/regex';
