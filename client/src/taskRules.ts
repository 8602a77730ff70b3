// The safety rules of the `vmbackup` task type, kept apart from the VS Code wiring so they are
// unit-tested: a backup task is in no task group (so Run Build Task, Ctrl+Shift+B, can never
// start one), and it asks for the same confirmation as the Run Backup command unless
// `vmbackup.tasks.confirmBackup` is false (unattended use, e.g. CI).

export type TaskAction = 'preview' | 'backup';

/** The task group of a provided task: a preview is a harmless check (Test); a backup has none. */
export function taskGroupKind(action: TaskAction): 'test' | undefined {
  return action === 'preview' ? 'test' : undefined;
}

/** Whether a task run of `action` asks before it starts (only backups change anything). */
export function taskNeedsConfirmation(action: TaskAction, section: { get<T>(key: string): T | undefined }): boolean {
  if (action !== 'backup') return false;
  return section.get<boolean>('tasks.confirmBackup') !== false;
}
