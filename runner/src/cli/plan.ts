// From a config and the pool inventory to the backup jobs, through the one selection
// implementation (runner/src/select). Messages keep the original's exact texts and carry
// the config line they came from.
import type { Inventory } from '../pool/inventory';
import type { Settings } from '../config/types';
import { planSelection } from '../select/plan';
import { renderSettingsBlock } from '../select/render';
import type { SelectionPlan } from '../select/types';
import type { MatchResults } from '../select/matchBudget';
import type { BackupJob } from '../backup/context';
import type { LoadedConfig } from './run';

export interface PlanNote {
  message: string;
  /** `file:line:col` when the note belongs to a config line. */
  location?: string;
}

export interface CliPlan {
  selection: SelectionPlan;
  jobs: BackupJob[];
  settingsBlock: string[];
  /** Load and clean-up messages of the original, by level. */
  errors: PlanNote[];
  warnings: PlanNote[];
  infos: PlanNote[];
}

export function lineLocation(config: LoadedConfig, line: number | undefined): string | undefined {
  if (line === undefined) return undefined;
  const node = config.parsed.lines[line];
  const column = node && node.kind === 'entry' ? node.valueRange.start.character + 1 : 1;
  return `${config.displayName}:${line + 1}:${column}`;
}

export function buildPlan(config: LoadedConfig, settings: Settings, inventory: Inventory, matches?: MatchResults): CliPlan {
  const selection = planSelection(config.parsed, inventory, { maxBackups: settings.maxBackups, ...(matches ? { matches } : {}) });
  const jobs: BackupJob[] = [...selection.vdiExport, ...selection.vmExport, ...selection.metadataExport].map((vm) => ({
    vm: vm.name,
    kind: vm.list,
    maxBackups: vm.maxBackups,
    label: vm.entry,
  }));
  const plan: CliPlan = { selection, jobs, settingsBlock: renderSettingsBlock(settings, selection), errors: [], warnings: [], infos: [] };
  for (const m of selection.messages) {
    if (m.phase === 'preview') continue;
    const location = lineLocation(config, m.line);
    const note = { message: m.text, ...(location ? { location } : {}) };
    (m.level === 'error' ? plan.errors : m.level === 'warning' ? plan.warnings : plan.infos).push(note);
  }
  return plan;
}
