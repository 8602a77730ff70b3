// The lossless parser against vmbackup-behaviour.md §2: one node per line, the original's
// classification (comment only in column 1, blank = strip() is empty, exactly one '='),
// its stripping, and exact ranges for every part.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig, type EntryLine, type Range } from '../../runner/src/config';

const r = (line: number, s: number, e: number): Range => ({
  start: { line, character: s },
  end: { line, character: e },
});

function only<T>(text: string): T {
  const parsed = parseConfig(text);
  return parsed.lines[0] as T;
}

const kinds: Array<[string, string, string]> = [
  ['comment in column 1', '# note', 'comment'],
  ['comment containing =', '#max_backups=3', 'comment'],
  ['indented comment', '  # note', 'comment'],
  ['tab-indented comment', '\t#x=1', 'comment'],
  ['empty line', '', 'blank'],
  ['blanks and tabs only', ' \t \x0b\x0c', 'blank'],
  ['no-break space is not Python 2 whitespace', '\u00a0', 'malformed'],
  ['entry', 'max_backups=3', 'entry'],
  ['indented entry', '   max_backups = 3  ', 'entry'],
  ['no equals', 'max_backups 3', 'malformed'],
  ['two equals', 'vm-export=a=b', 'malformed'],
  ['equals only', '=', 'entry'],
];

for (const [name, line, kind] of kinds) {
  test(`classify: ${name}`, () => {
    assert.equal(parseConfig(line).lines[0]!.kind, kind);
  });
}

test('indented flag only for comments with leading blanks', () => {
  assert.equal(only<{ indented: boolean }>('# a').indented, false);
  assert.equal(only<{ indented: boolean }>(' # a').indented, true);
});

test('key and value are stripped like str.strip(); ranges are exact', () => {
  const e = only<EntryLine>('  max_backups \t=  3 \t');
  assert.equal(e.key, 'max_backups');
  assert.equal(e.value, '3');
  assert.deepEqual(e.keyRange, r(0, 2, 13));
  assert.deepEqual(e.equalsRange, r(0, 15, 16));
  assert.deepEqual(e.valueRange, r(0, 18, 19));
  assert.deepEqual(e.range, r(0, 0, 21));
});

test('empty value: empty range right after =', () => {
  const e = only<EntryLine>('vm-export=');
  assert.equal(e.value, '');
  assert.deepEqual(e.valueRange, r(0, 10, 10));
  assert.equal(e.name, '');
  assert.equal(e.suffix, undefined);
});

test('empty value with trailing blanks: range still right after =', () => {
  const e = only<EntryLine>('exclude=   ');
  assert.deepEqual(e.valueRange, r(0, 8, 8));
});

test('keys are case-sensitive and kept as written', () => {
  assert.equal(only<EntryLine>('Max_Backups=3').key, 'Max_Backups');
});

test('selection value split on the first colon; parts are not stripped', () => {
  const e = only<EntryLine>('vm-export=web1 :3');
  assert.equal(e.name, 'web1 ');
  assert.deepEqual(e.nameRange, r(0, 10, 15));
  assert.equal(e.suffix!.text, '3');
  assert.deepEqual(e.suffix!.colonRange, r(0, 15, 16));
  assert.deepEqual(e.suffix!.range, r(0, 16, 17));
});

test('two colons: suffix keeps everything after the first', () => {
  const e = only<EntryLine>('vdi-export=a:3:4');
  assert.equal(e.name, 'a');
  assert.equal(e.suffix!.text, '3:4');
});

test('regex with (?:...) is cut at the colon', () => {
  const e = only<EntryLine>('metadata-export=(?:a|b).*');
  assert.equal(e.name, '(?');
  assert.equal(e.suffix!.text, 'a|b).*');
});

test('exclude and scalar values are not split on colon', () => {
  const x = only<EntryLine>('exclude=a:b');
  assert.equal(x.name, 'a:b');
  assert.equal(x.suffix, undefined);
  assert.deepEqual(x.nameRange, x.valueRange);
  assert.equal(only<EntryLine>('backup_dir=/a:b').suffix, undefined);
});

test('trailing colon gives an empty suffix', () => {
  const e = only<EntryLine>('vm-export=web1:');
  assert.equal(e.name, 'web1');
  assert.equal(e.suffix!.text, '');
  assert.deepEqual(e.suffix!.range, r(0, 15, 15));
});

test('malformed lines list every = range', () => {
  const m = parseConfig('a=b=c').lines[0]!;
  assert.equal(m.kind, 'malformed');
  if (m.kind !== 'malformed') return;
  assert.equal(m.reason, 'multiple-equals');
  assert.deepEqual(m.equalsRanges, [r(0, 1, 2), r(0, 3, 4)]);
  const none = parseConfig('junk').lines[0]!;
  assert.ok(none.kind === 'malformed' && none.reason === 'missing-equals' && none.equalsRanges.length === 0);
});

test('CRLF: terminators excluded from text and ranges; eol detected', () => {
  const p = parseConfig('max_backups=3\r\nvm-export=a\r\n');
  assert.equal(p.eol, '\r\n');
  assert.equal(p.lines.length, 3);
  assert.equal(p.entries[0]!.value, '3');
  assert.deepEqual(p.entries[1]!.range, r(1, 0, 11));
  assert.equal(p.lines[2]!.kind, 'blank');
});

test('mixed terminators, lone CR counts as a line break like in editors', () => {
  const p = parseConfig('a=1\nb=2\r\nc=3\rd=4');
  assert.deepEqual(
    p.entries.map((e) => [e.line, e.key]),
    [
      [0, 'a'],
      [1, 'b'],
      [2, 'c'],
      [3, 'd'],
    ],
  );
  assert.equal(p.eol, '\n');
});

test('BOM is reported and not part of line 0', () => {
  const p = parseConfig('\ufeffmax_backups=3\n');
  assert.equal(p.hasBom, true);
  assert.equal(p.entries[0]!.key, 'max_backups');
  assert.deepEqual(p.entries[0]!.keyRange, r(0, 0, 11));
  assert.equal(parseConfig('max_backups=3').hasBom, false);
});

test('non-ASCII and astral characters: UTF-16 code unit columns', () => {
  const e = only<EntryLine>('vm-export=Ünïcødé-😀:2');
  assert.equal(e.name, 'Ünïcødé-😀');
  assert.deepEqual(e.nameRange, r(0, 10, 20));
  assert.deepEqual(e.suffix!.range, r(0, 21, 22));
});

test('one node per line, entries view in order, empty text', () => {
  const p = parseConfig('');
  assert.equal(p.lines.length, 1);
  assert.equal(p.entries.length, 0);
  const q = parseConfig('# a\n\nx=1\nbad\ny=2');
  assert.deepEqual(
    p.lines.map((l) => l.line),
    [0],
  );
  assert.deepEqual(
    q.lines.map((l) => l.kind),
    ['comment', 'blank', 'entry', 'malformed', 'entry'],
  );
  assert.deepEqual(
    q.entries.map((e) => e.line),
    [2, 4],
  );
});

test('huge file: 20,000 lines parse, every line kept', () => {
  const lines: string[] = [];
  for (let i = 0; i < 20000; i++)
    lines.push(i % 3 === 0 ? `# c${i}` : i % 3 === 1 ? `vm-export=VM-${i}.*:${i % 7}` : `exclude=X${i}`);
  const p = parseConfig(lines.join('\r\n'));
  assert.equal(p.lines.length, 20000);
  assert.equal(p.entries.length, 13333);
  assert.equal(p.entries[13332]!.line, 19999);
});

test('never throws on arbitrary input', () => {
  let seed = 42;
  const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  const alphabet = ['=', ':', '#', ' ', '\t', '\r', '\n', 'a', 'é', '\ufeff', '\ud83d', '\x00', '.', '*'];
  for (let n = 0; n < 500; n++) {
    let s = '';
    for (let i = 0; i < 40; i++) s += alphabet[Math.floor(rand() * alphabet.length)];
    const p = parseConfig(s);
    assert.ok(p.lines.length >= 1);
  }
});
