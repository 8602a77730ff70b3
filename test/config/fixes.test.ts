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
  { name: 'drop inline comment on a selection', code: 'VMB009', text: 'vm-export=web1\t# main\n', fixed: 'vm-export=web1\n' },
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
    text: '# weekend\nmax_backups=4\nvdi-export=BIG\nvm-export=PROD.*\nexclude=PROD-bench\nvm-export=DEV.*\nexclude=DEV-test\n',
    fixed: '# weekend\nmax_backups=4\nexclude=PROD-bench\nexclude=DEV-test\nvdi-export=BIG\nvm-export=PROD.*\nvm-export=DEV.*\n',
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
  const diags = validateConfig(parseConfig('vm-export=a.*\nexclude=a1\nexclude=a2\n')).filter((d) => d.code === 'VMB013');
  assert.equal(diags.length, 2);
  assert.deepEqual(diags[0]!.fix, diags[1]!.fix);
});

test('applyEdits keeps a BOM and does not count it', () => {
  assert.equal(applyEdits('\ufeffab\ncd', [{ range: { start: { line: 1, character: 0 }, end: { line: 1, character: 1 } }, newText: 'X' }]), '\ufeffab\nXd');
});

test('duplicate scalar and missing = have no automatic fix (a human must choose)', () => {
  for (const d of validateConfig(parseConfig('max_backups=3\nmax_backups=4\njunk\n'))) assert.equal(d.fix, undefined);
});
