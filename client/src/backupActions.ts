// The questions the Backups view asks before Restore…, Health Check and Delete: the new VM's
// name, the SR, and confirmation dialogs whose first (default, Enter) button is always the
// harmless one. Pure (no `vscode` import): unit-tested.

/** A new VM name the runner accepts: not empty, one line (a line break would forge log records). */
export function restoreNameProblem(name: string): string | undefined {
  if (name.trim() === '') return 'The new VM needs a name.';
  if (/[\r\n\u2028\u2029]/.test(name)) return 'The name must be one line.';
  return undefined;
}

/** `web01 (restored 2026-01-29)`: never the backed-up VM's own name, so nothing is overwritten by mistake. */
export function defaultRestoreName(vm: string, isoDate: string): string {
  return `${vm} (restored ${isoDate.slice(0, 10)})`;
}

export const POOL_DEFAULT_SR = 'Pool default SR';

/** The SR quick pick: the pool's default first (no --sr), then the SRs holding the pool's disks. */
export function srChoices(srNames: readonly string[]): Array<{ label: string; sr?: string; description?: string }> {
  return [
    { label: POOL_DEFAULT_SR, description: 'the pool decides (no --sr)' },
    ...srNames.map((name) => ({ label: name, sr: name })),
  ];
}

export type Confirmation = 'restore' | 'healthcheck' | 'delete';

/**
 * Dialog buttons, first to last. VS Code makes the first one the default (Enter), so it is
 * always the harmless one: a dry run of the same restore, or keeping the backup.
 */
export const CONFIRM_BUTTONS: Record<Confirmation, { safe: string; act: string }> = {
  restore: { safe: 'Show Steps (Dry Run)', act: 'Restore' },
  healthcheck: { safe: 'Show Steps (Dry Run)', act: 'Run Health Check' },
  delete: { safe: 'Keep It', act: 'Delete' },
};

export function confirmButtons(kind: Confirmation): string[] {
  const { safe, act } = CONFIRM_BUTTONS[kind];
  return [safe, act];
}
