// The `vmbackup` task type's safety rules: Ctrl+Shift+B (Run Build Task) can never start a
// backup, a backup task asks like Run Backup does, and only a documented setting skips that.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { taskGroupKind, taskNeedsConfirmation } from '../../client/src/taskRules';

const manifest = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'package.json'), 'utf8'));
const settings = (values: Record<string, unknown>) => ({ get: <T>(key: string) => values[key] as T | undefined });

test('a backup task is in no task group, so it is never a (default) build task', () => {
  assert.equal(taskGroupKind('backup'), undefined);
  assert.equal(taskGroupKind('preview'), 'test');
});

test('a backup task asks for confirmation unless vmbackup.tasks.confirmBackup is false', () => {
  assert.equal(taskNeedsConfirmation('backup', settings({})), true);
  assert.equal(taskNeedsConfirmation('backup', settings({ 'tasks.confirmBackup': true })), true);
  assert.equal(taskNeedsConfirmation('backup', settings({ 'tasks.confirmBackup': false })), false);
  assert.equal(taskNeedsConfirmation('preview', settings({})), false);
});

test('the setting is contributed (default on) and a workspace in Restricted Mode cannot turn it off', () => {
  const props = Object.assign(
    {},
    ...manifest.contributes.configuration.map((c: { properties: object }) => c.properties),
  );
  assert.equal(props['vmbackup.tasks.confirmBackup']?.default, true);
  assert.match(props['vmbackup.tasks.confirmBackup'].markdownDescription, /CI/);
  assert.ok(
    manifest.capabilities.untrustedWorkspaces.restrictedConfigurations.includes('vmbackup.tasks.confirmBackup'),
  );
});
