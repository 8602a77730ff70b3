// The shipped examples parse with exactly the expected diagnostics (code@line, 1-based).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig, resolveSettings, validateConfig } from '../../runner/src/config';

const dir = join(import.meta.dirname, '..', '..', 'examples');

const expected: Record<string, string[]> = {
  'demo.cfg': [],
  'example.cfg': [],
  'regex.cfg': [],
  'weekend.cfg': ['VMB013@8'],
  'weekend-excludes-first.cfg': [],
  'weekend-with-errors.cfg': ['VMB017@5', 'VMB013@8', 'VMB017@8'],
  'v30-wildcards.cfg': ['VMB016@4', 'VMB016@5'],
  'regex-errors.cfg': ['VMB030@5', 'VMB031@8'],
};

test('every example file is covered by this table', () => {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.cfg'))
    .sort();
  for (const f of files) assert.ok(f in expected, `examples/${f} has no expectation`);
});

for (const [file, codes] of Object.entries(expected)) {
  test(`examples/${file}`, () => {
    const parsed = parseConfig(readFileSync(join(dir, file), 'utf8'));
    const got = validateConfig(parsed, { compatibility: 'original' }).map((d) => `${d.code}@${d.range.start.line + 1}`);
    assert.deepEqual(got, codes);
    assert.ok(parsed.entries.length > 0);
  });
}

test('weekend.cfg settings: max_backups 4, default status log', () => {
  const s = resolveSettings(parseConfig(readFileSync(join(dir, 'weekend.cfg'), 'utf8')));
  assert.equal(s.maxBackups, 4);
  assert.equal(s.backupDir, '/snapshots/BACKUPS');
  assert.equal(s.statusLog, '/snapshots/NAUbackup/status.log');
  assert.equal(s.origins['max_backups']!.line, 1);
});
