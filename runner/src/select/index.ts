// Public API of VM selection. Pure functions: (parsed config, inventory) -> plan / diagnostics.

export * from './types';
export { planSelection, patternJobs, SELECTION_KEYS, type PlanOptions } from './plan';
export { matchWithinBudget, regexBudgetFromEnv, DEFAULT_REGEX_BUDGET_MS, REGEX_BUDGET_ENV, type MatchResults } from './matchBudget';
export { renderSettingsBlock, compareCodePoints } from './render';
export { inventoryDiagnostics } from './diagnostics';
export { selectorToConfig, type SelectorResult } from './selector';
export { regexDiagnostics } from '../config/regex';
