// One rule for duplicate VM names, used by the runner's preview and the editor: a name the
// config backs up that more than one VM holds is an error (VMB043, the run fails that VM);
// a duplicate the config does not back up is a warning (VMB046) while the original's
// "*** ERROR: duplicate VM name found" line is still logged. And one rule for suppression
// comments: a silenced warning is silent for the runner too; an error cannot be silenced.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig, validateConfig, isSuppressed, type ConfigDiagnostic } from '../../runner/src/config';
import { inventoryDiagnostics, planSelection } from '../../runner/src/select';
import { inventory, WEEKEND_POOL, type VmSpec } from './helpers';

function both(text: string, specs: VmSpec[]) {
  const config = parseConfig(text);
  const inv = inventory(specs);
  const plan = planSelection(config, inv);
  return { config, plan, diagnostics: inventoryDiagnostics(config, inv, plan) };
}

const previewDuplicates = (p: ReturnType<typeof both>['plan']) =>
  p.messages.filter((m) => m.text.startsWith('*** ERROR: duplicate')).map((m) => [m.level, m.code, m.line]);
const shape = (d: ConfigDiagnostic) => [d.code, d.severity, d.range.start.line];

test('a duplicate name the config does not select: warning (VMB046) in the plan and in the editor', () => {
  const pool = [...WEEKEND_POOL, 'DEV-duplicate', 'DEV-duplicate'];
  const { plan, diagnostics } = both('max_backups=4\nvm-export=PROD.*\nvm-export=DEV-RH.*:3\n', pool);
  assert.deepEqual(
    plan.duplicateNames.map((d) => [d.name, d.selected, d.line]),
    [['DEV-duplicate', false, 1]],
  );
  // The original's line, word for word, at warning level: the preview no longer fails.
  assert.deepEqual(previewDuplicates(plan), [['warning', 'VMB046', 1]]);
  assert.ok(
    plan.messages.some(
      (m) => m.text === "*** ERROR: duplicate VM name found: DEV-duplicate | ['OpaqueRef:6', 'OpaqueRef:7']",
    ),
  );
  assert.deepEqual(diagnostics.map(shape), [['VMB046', 'warning', 1]]);
  assert.match(diagnostics[0]!.message, /2 VMs named 'DEV-duplicate'.*does not back it up/);
});

test('a duplicate name the config selects: error (VMB043) in both', () => {
  const { plan, diagnostics } = both('vm-export=DEV.*\n', ['DEV-a', 'DEV-dup', 'DEV-dup']);
  assert.deepEqual(previewDuplicates(plan), [['error', 'VMB043', 0]]);
  assert.deepEqual(diagnostics.map(shape), [['VMB043', 'error', 0]]);
});

test('a duplicate a selection matched but an exclude dropped is not selected: warning on the matching line', () => {
  const { plan, diagnostics } = both('vm-export=a\nvm-export=DEV.*\nexclude=DEV-dup\n', ['a', 'DEV-dup', 'DEV-dup']);
  assert.deepEqual(
    plan.duplicateNames.map((d) => [d.selected, d.line]),
    [[false, 1]],
  );
  assert.deepEqual(diagnostics.filter((d) => d.code.startsWith('VMB04') && d.code !== 'VMB045').map(shape), [
    ['VMB046', 'warning', 1],
  ]);
});

test('a suppression comment silences a warning for the runner too (information, no "WARNINGS found")', () => {
  const text = 'vm-export=a\n# vmbackup-disable-next-line VMB040 gone for the winter\nvm-export=gone\n';
  const { config, plan, diagnostics } = both(text, ['a']);
  const notFound = plan.messages.find((m) => m.code === 'VMB040')!;
  assert.equal(notFound.level, 'info');
  assert.equal(notFound.suppressed, true);
  assert.match(notFound.text, /^\*\*\*WARNING - vm not found: vm-export=gone \(VMB040 suppressed by line 2\)$/);
  assert.equal(plan.matchWarnings, false);
  // The editor hides the same diagnostic with the same rule.
  assert.deepEqual(
    diagnostics.map((d) => [d.code, isSuppressed(config, d)]),
    [['VMB040', true]],
  );
  // Without the comment it is a warning for both.
  const plain = both('vm-export=a\nvm-export=gone\n', ['a']);
  assert.equal(plain.plan.messages.find((m) => m.code === 'VMB040')!.level, 'warning');
  assert.equal(plain.plan.matchWarnings, true);
});

test('an error cannot be silenced: not in the plan, not in the editor', () => {
  const text =
    '# vmbackup-disable-next-line VMB043 VMB030\nvm-export=dup\n# vmbackup-disable-next-line\nvm-export=PRD-[aA.*\n';
  const { config, plan, diagnostics } = both(text, ['dup', 'dup']);
  assert.deepEqual(previewDuplicates(plan), [['error', 'VMB043', 1]]);
  assert.ok(plan.messages.some((m) => m.code === 'VMB030' && m.level === 'error'));
  const all = [...validateConfig(config), ...diagnostics];
  assert.deepEqual(
    all.filter((d) => isSuppressed(config, d)).map((d) => d.code),
    [],
  );
  assert.deepEqual(all.map((d) => d.code).sort(), ['VMB030', 'VMB043']);
});
