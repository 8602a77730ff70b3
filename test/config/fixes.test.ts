// Each machine-applicable fix, applied to the text, gives exactly the expected document, and
// the fixed document no longer has that diagnostic.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyEdits, parseConfig, validateConfig } from '../../runner/src/config';

interface FixCase {
  name: string;
  code: string;
  text: string;
  fixed: string;
}

const cases: FixCase[] = [
  { name: 'drop inline comment', code: 'VMB009', text: 'max_backups=3 # three\n', fixed: 'max_backups=3\n' },
  {
    name: 'drop inline comment on a selection',
    code: 'VMB009',
    text: 'vm-export=web1\t# main\n',
    fixed: 'vm-export=web1\n',
  },
  { name: 'prefix wildcard to regex', code: 'VMB016', text: 'vm-export=PROD*:3\n', fixed: 'vm-export=PROD.*:3\n' },
  { name: 'bare star to .*', code: 'VMB016', text: 'vm-export=*\n', fixed: 'vm-export=.*\n' },
  { name: 'escape a literal name', code: 'VMB017', text: 'exclude=file.server\n', fixed: 'exclude=file\\.server$\n' },
  { name: 'escape keeps the :N', code: 'VMB017', text: 'vm-export=db.local:2\n', fixed: 'vm-export=db\\.local$:2\n' },
  { name: 'blank before :N', code: 'VMB023', text: 'vm-export=web1 :3\n', fixed: 'vm-export=web1:3\n' },
  { name: 'key typo', code: 'VMB005', text: 'max_backup=3\n', fixed: 'max_backups=3\n' },
  { name: 'key case', code: 'VMB005', text: 'VM-EXPORT=a\n', fixed: 'vm-export=a\n' },
  { name: 'indented comment', code: 'VMB003', text: 'a=1\n \t# note\n', fixed: 'a=1\n# note\n' },
  {
    name: 'move all excludes above the first selection',
    code: 'VMB013',
    text:
      '# weekend\nmax_backups=4\nvdi-export=BIG\nvm-export=PROD.*\nexclude=PROD-bench\nvm-export=DEV.*\n' +
      'exclude=DEV-test\n',
    fixed:
      '# weekend\nmax_backups=4\nexclude=PROD-bench\nexclude=DEV-test\nvdi-export=BIG\nvm-export=PROD.*\n' +
      'vm-export=DEV.*\n',
  },
  {
    name: 'move excludes, CRLF and exclude on the last line without terminator',
    code: 'VMB013',
    text: 'vm-export=PROD.*\r\nexclude=PROD-a\r\nexclude=PROD-b',
    fixed: 'exclude=PROD-a\r\nexclude=PROD-b\r\nvm-export=PROD.*\r\n',
  },
];

for (const c of cases) {
  test(`fix ${c.code}: ${c.name}`, () => {
    const diags = validateConfig(parseConfig(c.text)).filter((d) => d.code === c.code);
    assert.ok(diags.length > 0, 'diagnostic present');
    const fix = diags[0]!.fix;
    assert.ok(fix, 'fix present');
    assert.ok(fix.title.length > 0);
    const out = applyEdits(c.text, fix.edits);
    // The last-line case leaves the emptied final line: compare ignoring one trailing newline.
    assert.equal(out.replace(/(\r?\n)+$/, '$1'), c.fixed);
    assert.equal(validateConfig(parseConfig(out)).filter((d) => d.code === c.code).length, 0, 'fixed text is clean');
  });
}

test('every late exclude offers the same move fix', () => {
  const diags = validateConfig(parseConfig('vm-export=a.*\nexclude=a1\nexclude=a2\n')).filter(
    (d) => d.code === 'VMB013',
  );
  assert.equal(diags.length, 2);
  assert.deepEqual(diags[0]!.fix, diags[1]!.fix);
});

test('applyEdits keeps a BOM and does not count it', () => {
  assert.equal(
    applyEdits('\ufeffab\ncd', [
      { range: { start: { line: 1, character: 0 }, end: { line: 1, character: 1 } }, newText: 'X' },
    ]),
    '\ufeffab\nXd',
  );
});

/** Every fix of the first diagnostic with `code` (preferred first), applied: [title, text, safe]. */
function allFixes(text: string, code: string, options = {}): Array<[string, string, boolean]> {
  const d = validateConfig(parseConfig(text), options).find((x) => x.code === code);
  assert.ok(d, `${code} reported for ${JSON.stringify(text)}`);
  return [...(d.fix ? [d.fix] : []), ...(d.otherFixes ?? [])].map((f) => [
    f.title,
    applyEdits(text, f.edits),
    f.safe === true,
  ]);
}

const codesOf = (text: string, options = {}) => validateConfig(parseConfig(text), options).map((d) => d.code);

test('fix VMB001: insert = after a known key (preferred), or comment the line out', () => {
  assert.deepEqual(allFixes('max_backups 3\nvm-export=a\n', 'VMB001'), [
    ["Insert '=': max_backups=3", 'max_backups=3\nvm-export=a\n', false],
    ['Comment out the line', '# max_backups 3\nvm-export=a\n', false],
  ]);
  assert.deepEqual(allFixes('vm-export: PROD.*\n', 'VMB001')[0]!.slice(0, 2), [
    "Insert '=': vm-export=PROD.*",
    'vm-export=PROD.*\n',
  ]);
  // Prose: commenting out is preferred.
  assert.equal(allFixes('this is a note\n', 'VMB001')[0]![1], '# this is a note\n');
  for (const [, fixed] of allFixes('max_backups 3\n', 'VMB001')) assert.ok(!codesOf(fixed).includes('VMB001'));
});

test('fix VMB004: remove the repeat (keep the first) or keep the last, which is safe for extension keys', () => {
  assert.deepEqual(allFixes('max_backups=3\nvm-export=a\nmax_backups=5\n', 'VMB004'), [
    ['Remove this line (keep max_backups=3 of line 1)', 'max_backups=3\nvm-export=a\n', false],
    ['Keep this value (remove line 1: max_backups=3)', 'vm-export=a\nmax_backups=5\n', false],
  ]);
  const ext = allFixes('compress=gzip\ncompress=zstd', 'VMB004');
  assert.deepEqual(ext[0], ['Keep this value (remove line 1: compress=gzip)', 'compress=zstd', true]);
  assert.deepEqual(ext[1], ['Remove this line (keep compress=gzip of line 1)', 'compress=gzip', false]);
  for (const [, fixed] of [...ext, ...allFixes('max_backups=3\nmax_backups=5\n', 'VMB004')])
    assert.ok(!codesOf(fixed).includes('VMB004'), fixed);
});

test('fix VMB005: a key typo never creates a duplicate setting (VMB004)', () => {
  const fixes = allFixes('max_backups=5\nvm-export=a\nmax_backup=3\n', 'VMB005');
  assert.deepEqual(fixes, [
    ["Remove this line ('max_backups' is already set on line 1)", 'max_backups=5\nvm-export=a\n', false],
    ["Change to 'max_backups' and remove line 1 (this value wins)", 'vm-export=a\nmax_backups=3\n', false],
  ]);
  for (const [, fixed] of fixes) assert.deepEqual(codesOf(fixed), [], fixed);
  // Selection keys repeat freely: a plain rename.
  assert.deepEqual(allFixes('vm-export=a\nvm_export=b\n', 'VMB005')[0]![1], 'vm-export=a\nvm-export=b\n');
});

test('fix VMB011: drop :0 (safe: max_backups applies either way)', () => {
  assert.deepEqual(allFixes('vm-export=web:0\n', 'VMB011'), [
    ["Remove ':0' (max_backups applies either way)", 'vm-export=web\n', true],
  ]);
});

test('fix VMB014: write .* (safe, same VMs) or remove the line', () => {
  assert.deepEqual(allFixes('vm-export=\n', 'VMB014'), [
    ["Write '.*' (every VM, as now)", 'vm-export=.*\n', true],
    ['Remove the line', '', false],
  ]);
  assert.equal(allFixes('vm-export=:3\nmax_backups=2\n', 'VMB014')[0]![1], 'vm-export=.*:3\nmax_backups=2\n');
  assert.deepEqual(codesOf('vm-export=.*:3\n'), []);
});

test('fix VMB030 where the correction is obvious (and only when the result compiles)', () => {
  assert.deepEqual(allFixes('vm-export=*PROD:2\n', 'VMB030'), [
    ["Insert '.' before '*': .*PROD", 'vm-export=.*PROD:2\n', false],
  ]);
  assert.deepEqual(allFixes('exclude=(web|db\n', 'VMB030')[0]!.slice(0, 2), [
    'Close the group: (web|db)',
    'exclude=(web|db)\n',
  ]);
  assert.deepEqual(allFixes('vm-export=web)1\n', 'VMB030')[0]!.slice(0, 2), [
    "Remove the unmatched ')': web1",
    'vm-export=web1\n',
  ]);
  assert.deepEqual(allFixes('vm-export=PRD-[aA.*\n', 'VMB030'), [], 'no guess for an unterminated set');
});

test('fixes of invalid values (VMB006, VMB007, VMB008, VMB010, VMB012, VMB015, VMB020, VMB022, VMB031)', () => {
  assert.equal(allFixes('pool_db_backup=yes\n', 'VMB006')[0]![1], 'pool_db_backup=1\n');
  assert.equal(allFixes('pool_db_backup=2\n', 'VMB006')[0]![1], 'pool_db_backup=0\n');
  assert.equal(allFixes('max_backups=2.5\n', 'VMB007')[0]![1], 'max_backups=2\n');
  assert.equal(allFixes('max_backups=three\n', 'VMB007')[0]![1], 'max_backups=4\n');
  assert.equal(allFixes('vdi_export_format=VHD\n', 'VMB008')[0]![1], 'vdi_export_format=vhd\n');
  assert.equal(allFixes('vm-export=web:three\n', 'VMB010')[0]![1], 'vm-export=web\n');
  assert.equal(allFixes('vm-export=web:3:4\n', 'VMB012')[0]![1], 'vm-export=web:3\n');
  assert.deepEqual(allFixes('vm-export=a\nexclude=\n', 'VMB015'), [
    ['Remove the line (it is ignored)', 'vm-export=a\n', true],
  ]);
  assert.equal(
    allFixes('compress=gzip\nvm-export=a\n', 'VMB020', { compatibility: 'original' })[0]![1],
    'vm-export=a\n',
  );
  assert.equal(allFixes('backup_dir=\nvm-export=a\n', 'VMB022')[0]![1], 'vm-export=a\n');
  assert.equal(allFixes('vm-export=(?:web|db)-.*:2\n', 'VMB031')[0]![1], 'vm-export=(web|db)-.*:2\n');
});
