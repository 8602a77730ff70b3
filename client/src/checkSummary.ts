// The sentence that sums up a workspace check (vmbackup/checkConfigs). Pure: unit-tested.
import type { CheckConfigsResult } from '../../server/src/protocol';

const count = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export function summariseCheck(result: CheckConfigsResult): {
  text: string;
  severity: 'info' | 'warning';
  problems: boolean;
} {
  const configs = result.configs.length;
  if (configs === 0) {
    return {
      text: `No VmBackup configs found in the workspace (${count(result.skipped, 'other .cfg file')} looked at).`,
      severity: 'info',
      problems: false,
    };
  }
  const errors = result.configs.reduce((sum, c) => sum + c.errors, 0);
  const warnings = result.configs.reduce((sum, c) => sum + c.warnings, 0);
  const withProblems = result.configs.filter((c) => c.errors + c.warnings > 0).length;
  if (errors + warnings === 0)
    return { text: `Checked ${count(configs, 'VmBackup config')}: no problems.`, severity: 'info', problems: false };
  return {
    text:
      `Checked ${count(configs, 'VmBackup config')}: ${count(errors, 'error')} and ${count(warnings, 'warning')} ` +
      `in ${count(withProblems, 'file')} (listed in Problems).`,
    severity: errors > 0 ? 'warning' : 'info',
    problems: true,
  };
}
