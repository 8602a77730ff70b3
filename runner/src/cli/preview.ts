// `preview`: the original's settings block and lists exactly (vmbackup-behaviour.md §4),
// then, beyond the original, where each VM came from (config lines) and every diagnostic as
// file:line:col. Exit code: 0 clean, 1 warnings, 2 errors (the original always exited 1).
import type { ConfigDiagnostic } from '../config/types';
import { selectableVms, type Inventory } from '../pool/inventory';
import type { EventBus } from '../backup/events';
import { exitCodeFor } from '../backup/events';
import type { CliPlan } from './plan';
import { lineLocation } from './plan';
import type { LoadedConfig } from './loadConfig';

/** Called after the load messages and the settings block have been logged (run.ts). */
export function runPreview(
  bus: EventBus,
  config: LoadedConfig,
  plan: CliPlan,
  inventory: Inventory,
  diagnostics: ConfigDiagnostic[],
  extraWarnings: string[] = [],
): number {
  const started = Date.now();
  const sel = plan.selection;
  let errors = diagnostics.filter((d) => d.severity === 'error').length + plan.errors.length;
  let warnings = diagnostics.filter((d) => d.severity === 'warning').length + plan.warnings.length;

  // Where every VM came from (not in the original: the answer to "why is this VM here?").
  const origin = (line: number) => lineLocation(config, line) ?? '';
  const text = (line: number) => {
    const node = config.parsed.lines[line];
    return node ? node.text.trim() : '';
  };
  for (const vm of [...sel.vdiExport, ...sel.vmExport, ...sel.metadataExport]) {
    const keep =
      vm.maxBackupsReason.kind === 'suffix'
        ? `keeps ${vm.maxBackups} (:${vm.maxBackupsReason.n})`
        : vm.maxBackupsReason.kind === 'suffix-lost'
          ? `keeps ${vm.maxBackups}: the :${vm.maxBackupsReason.n} of line ${vm.maxBackupsReason.line + 1} was ` +
            `replaced by line ${vm.maxBackupsReason.lostTo + 1}`
          : `keeps ${vm.maxBackups}`;
    bus.info(`  ${vm.list} ${vm.name} <- ${origin(vm.selectedBy)} ${text(vm.selectedBy)} (${keep})`);
  }
  for (const ex of sel.excluded) bus.info(`  exclude ${ex.name} <- ${origin(ex.line)} ${text(ex.line)}`);
  for (const d of sel.dropped) {
    const why =
      d.reason === 'forced-exclude'
        ? 'excluded'
        : d.reason === 'vdi-export-precedence'
          ? 'already in vdi-export'
          : 'vdi-export wins';
    bus.info(
      `  not ${d.list} ${d.name} <- ${origin(d.line)} ${text(d.line)} (${why}` +
        `${d.becauseOf !== undefined ? `, line ${d.becauseOf + 1}` : ''})`,
    );
  }

  for (const m of sel.messages) {
    if (m.phase !== 'preview') continue;
    if (m.level === 'error') {
      errors++;
      bus.error(m.text, undefined, lineLocation(config, m.line));
    } else if (m.level === 'warning') {
      warnings++;
      bus.warning(m.text, undefined, lineLocation(config, m.line));
    } else bus.info(m.text);
  }

  for (const w of extraWarnings) {
    warnings++;
    bus.warning(w);
  }
  // The original's closing line, its blanks kept ('... %s' % warning); the suffix only for
  // its own warnings (a selection or exclude that matched nothing).
  const suffix = sel.matchWarnings ? ' - WARNINGS found (see above)' : '';
  if (sel.regexErrors) bus.error(`ERROR regex errors found (see above) ${suffix}`);
  else if (errors > 0) bus.error('ERROR errors found (see above)');
  else bus.info(`SUCCESS preview of parameters ${suffix}`);
  if (sel.matchWarnings && warnings === 0) warnings++;
  const summary = { success: errors === 0 && warnings === 0 ? 1 : 0, warning: warnings, error: errors };
  const exitCode = exitCodeFor(summary);
  bus.emit({
    type: 'run-end',
    outcome: exitCode === 2 ? 'error' : exitCode === 1 ? 'warning' : 'success',
    summary,
    exitCode,
    elapsedMs: Date.now() - started,
    message:
      'VmBackup preview ended - ' +
      `${exitCode === 2 ? '**ERRORS DETECTED**' : exitCode === 1 ? '**WARNING(s)**' : 'Success'} - ` +
      `E:${errors} W:${warnings} (${selectableVms(inventory).length} VMs in the pool)`,
  });
  return exitCode;
}
