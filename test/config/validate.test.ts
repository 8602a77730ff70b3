// Every config diagnostic: code, severity and exact range (0-based line, start col, end col),
// table-driven. Each case lists ALL diagnostics the text produces, so extra or missing ones fail.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig, validateConfig, type ValidateOptions } from '../../runner/src/config';

type Expected = [code: string, severity: string, line: number, start: number, end: number];

interface Case {
  name: string;
  text: string;
  options?: ValidateOptions;
  expected: Expected[];
  /** Substrings the first diagnostic's message must contain. */
  says?: string[];
}

const cases: Case[] = [
  { name: 'valid file has no diagnostics', text: '# c\nmax_backups=3\nexclude=X\nvm-export=PROD.*:2\n', expected: [] },
  {
    name: 'VMB001 line without =',
    text: 'max_backups 3',
    expected: [['VMB001', 'error', 0, 0, 13]],
    says: ['crashes'],
  },
  { name: 'VMB001 range skips blanks', text: '  junk  ', expected: [['VMB001', 'error', 0, 2, 6]] },
  { name: 'VMB001 no-break space is content for Python 2', text: '\u00a0 ', expected: [['VMB001', 'error', 0, 0, 1]] },
  { name: 'VMB002 two =', text: 'vm-export=a=b', expected: [['VMB002', 'error', 0, 11, 12]], says: ['crashes'] },
  { name: 'VMB002 three = spans 2nd..last', text: 'a=b=c=d', expected: [['VMB002', 'error', 0, 3, 6]] },
  { name: 'VMB003 indented comment', text: '  # note', expected: [['VMB003', 'error', 0, 0, 8]], says: ['crashes'] },
  {
    name: 'VMB004 duplicate scalar',
    text: 'max_backups=3\nmax_backups=4',
    expected: [['VMB004', 'error', 1, 0, 11]],
    says: ['line 1', 'crashes'],
  },
  { name: 'VMB004 selections may repeat', text: 'vm-export=a\nvm-export=b', expected: [] },
  {
    name: 'VMB004 extension key repeated is a warning',
    text: 'compress=gzip\ncompress=zstd',
    expected: [['VMB004', 'warning', 1, 0, 8]],
  },
  {
    name: 'VMB005 unknown key with suggestion',
    text: 'max_backup=3',
    expected: [['VMB005', 'error', 0, 0, 10]],
    says: ["did you mean 'max_backups'"],
  },
  {
    name: 'VMB005 keys are case-sensitive',
    text: 'Max_Backups=3',
    expected: [['VMB005', 'error', 0, 0, 11]],
    says: ["'max_backups'"],
  },
  {
    name: 'VMB005 underscore/dash confusion',
    text: 'vm_export=a',
    expected: [['VMB005', 'error', 0, 0, 9]],
    says: ["'vm-export'"],
  },
  { name: 'VMB005 no suggestion for unrelated key', text: 'colour=blue', expected: [['VMB005', 'error', 0, 0, 6]] },
  { name: 'VMB005 empty key points at =', text: '  =x', expected: [['VMB005', 'error', 0, 2, 3]], says: ['no key'] },
  {
    name: 'VMB005 ignore_extra_keys makes it a warning',
    text: 'colour=blue',
    options: { ignoreExtraKeys: true },
    expected: [['VMB005', 'warning', 0, 0, 6]],
    says: ['ignored'],
  },
  { name: 'VMB006 pool_db_backup 2', text: 'pool_db_backup=2', expected: [['VMB006', 'error', 0, 15, 16]] },
  { name: 'VMB006 pool_db_backup yes', text: 'pool_db_backup=yes', expected: [['VMB006', 'error', 0, 15, 18]] },
  { name: 'pool_db_backup +1 is a Python int', text: 'pool_db_backup=+1', expected: [] },
  { name: 'VMB007 max_backups 0', text: 'max_backups=0', expected: [['VMB007', 'error', 0, 12, 13]] },
  { name: 'VMB007 max_backups float', text: 'max_backups=2.5', expected: [['VMB007', 'error', 0, 12, 15]] },
  { name: 'VMB007 max_backups empty points at =', text: 'max_backups=', expected: [['VMB007', 'error', 0, 11, 12]] },
  { name: 'VMB008 vdi_export_format', text: 'vdi_export_format=RAW', expected: [['VMB008', 'error', 0, 18, 21]] },
  {
    name: 'VMB009 inline comment on scalar',
    text: 'max_backups=3 # three',
    expected: [['VMB009', 'error', 0, 14, 21]],
    says: ['3 # three'],
  },
  {
    name: 'VMB009 inline comment on selection is a warning',
    text: 'vm-export=web1  # main',
    expected: [['VMB009', 'warning', 0, 16, 22]],
  },
  { name: 'hash without blank is not a comment', text: 'vm-export=web#1', expected: [] },
  {
    name: 'VMB010 :N not an integer',
    text: 'vm-export=web:three',
    expected: [['VMB010', 'error', 0, 14, 19]],
    says: ['vm_max_backup is invalid'],
  },
  {
    name: 'VMB011 :0 falls back',
    text: 'vdi-export=web:0',
    expected: [['VMB011', 'warning', 0, 15, 16]],
    says: ['global max_backups'],
  },
  { name: 'VMB011 :-2', text: 'vm-export=web:-2', expected: [['VMB011', 'warning', 0, 14, 16]] },
  { name: ':N with blanks is a Python int', text: 'vm-export=web: 3', expected: [] },
  { name: 'empty :N is ignored', text: 'vm-export=web:', expected: [] },
  {
    name: 'VMB023 blank before :N',
    text: 'vm-export=web1 \t:3',
    expected: [['VMB023', 'warning', 0, 14, 16]],
    says: ["'web1 \t'"],
  },
  { name: 'VMB023 not on exclude (no split)', text: 'exclude=web1 :3', expected: [] },
  {
    name: 'VMB012 two colons',
    text: 'vm-export=web:3:4',
    expected: [['VMB012', 'error', 0, 15, 16]],
    says: ['crashes'],
  },
  {
    name: 'VMB013 exclude after selection, range and fix',
    text: 'vm-export=a.*\nexclude=ab',
    expected: [['VMB013', 'warning', 1, 0, 7]],
    says: ['line 1'],
  },
  {
    name: 'VMB013 empty late exclude is only ignored',
    text: 'vm-export=a\nexclude=',
    expected: [['VMB015', 'information', 1, 0, 7]],
  },
  {
    name: 'VMB014 vm-export= selects all',
    text: 'vm-export=',
    expected: [['VMB014', 'warning', 0, 0, 9]],
    says: ['every VM'],
  },
  { name: 'VMB014 vm-export=:3 selects all', text: 'vm-export=:3', expected: [['VMB014', 'warning', 0, 10, 11]] },
  {
    name: 'VMB014 vdi-export=:3 selects all (only the empty value is ignored)',
    text: 'vdi-export=:3',
    expected: [['VMB014', 'warning', 0, 11, 12]],
  },
  { name: 'VMB014 metadata-export=', text: 'metadata-export=', expected: [['VMB014', 'warning', 0, 0, 15]] },
  { name: 'VMB015 empty exclude', text: 'exclude=', expected: [['VMB015', 'information', 0, 0, 7]] },
  { name: 'VMB015 empty vdi-export', text: 'vdi-export=  ', expected: [['VMB015', 'information', 0, 0, 10]] },
  {
    name: 'VMB016 v3.0 prefix wildcard',
    text: 'vm-export=PROD*:3',
    expected: [['VMB016', 'warning', 0, 10, 15]],
    says: ["'PROD.*'"],
  },
  { name: 'VMB016 on exclude', text: 'exclude=TEMP*', expected: [['VMB016', 'warning', 0, 8, 13]] },
  { name: 'VMB016 bare star', text: 'vm-export=*', expected: [['VMB016', 'warning', 0, 10, 11]] },
  {
    name: 'VMB017 dotted literal',
    text: 'exclude=file.server',
    expected: [['VMB017', 'information', 0, 8, 19]],
    says: ['prefix'],
  },
  { name: 'VMB017 not for .*', text: 'vm-export=PROD.*', expected: [] },
  { name: 'VMB018 relative backup_dir', text: 'backup_dir=backups', expected: [['VMB018', 'warning', 0, 11, 18]] },
  { name: 'VMB018 relative status_log', text: 'status_log=status.log', expected: [['VMB018', 'warning', 0, 11, 21]] },
  // A Windows machine's own disk (--transport xapi on a workstation): drive and share paths are absolute.
  { name: 'VMB018 not for a drive path', text: 'backup_dir=C:\\Backups', expected: [] },
  { name: 'VMB018 not for a drive path with /', text: 'backup_dir=d:/vmbackup', expected: [] },
  { name: 'VMB018 not for a share path', text: 'status_log=\\\\filer\\logs\\status.log', expected: [] },
  { name: 'VMB018 drive-relative', text: 'backup_dir=C:Backups', expected: [['VMB018', 'warning', 0, 11, 20]] },
  { name: 'VMB019 byte order mark', text: '\ufeff# weekend\nmax_backups=3', expected: [['VMB019', 'error', 0, 0, 9]] },
  {
    name: 'VMB020 extension key in original mode',
    text: 'compress=gzip',
    options: { compatibility: 'original' },
    expected: [['VMB020', 'error', 0, 0, 8]],
    says: ['unexpected config key'],
  },
  {
    name: 'VMB020 with ignore_extra_keys is a warning',
    text: 'report_file=/tmp/r.json',
    options: { compatibility: 'original', ignoreExtraKeys: true },
    expected: [['VMB020', 'warning', 0, 0, 11]],
  },
  {
    name: 'extension keys fine in extended mode',
    text:
      'compress=zstd\nmail_to=a@b.c,d@e.f\nmail_from=x@y.z\nsmtp_server=mail.example.com:587\nsmtp_starttls=1\n' +
      'smtp_user=u\nsmtp_password_file=/root/p\nreport_file=/r.json',
    expected: [],
  },
  { name: 'VMB021 compress value', text: 'compress=lz4', expected: [['VMB021', 'error', 0, 9, 12]] },
  { name: 'VMB021 smtp_server port', text: 'smtp_server=mail:99999', expected: [['VMB021', 'error', 0, 12, 22]] },
  { name: 'VMB021 smtp_starttls', text: 'smtp_starttls=yes', expected: [['VMB021', 'error', 0, 14, 17]] },
  { name: 'VMB021 mail_to', text: 'mail_to=nobody', expected: [['VMB021', 'error', 0, 8, 14]] },
  { name: 'VMB022 empty backup_dir', text: 'backup_dir=', expected: [['VMB022', 'error', 0, 10, 11]] },
  { name: 'VMB022 empty extension value', text: 'mail_to=', expected: [['VMB022', 'error', 0, 7, 8]] },
  {
    name: 'diagnostics sorted by position',
    text: 'b@d\nmax_backups=x\n  #c',
    expected: [
      ['VMB001', 'error', 0, 0, 3],
      ['VMB007', 'error', 1, 12, 13],
      ['VMB003', 'error', 2, 0, 4],
    ],
  },
  {
    name: 'CRLF ranges exclude the CR',
    text: 'max_backups=x\r\nvm-export=a=b\r\n',
    expected: [
      ['VMB007', 'error', 0, 12, 13],
      ['VMB002', 'error', 1, 11, 12],
    ],
  },
];

for (const c of cases) {
  test(c.name, () => {
    const diags = validateConfig(parseConfig(c.text), c.options);
    const got = diags.map(
      (d): Expected => [d.code, d.severity, d.range.start.line, d.range.start.character, d.range.end.character],
    );
    assert.deepEqual(got, c.expected);
    for (const d of diags) assert.equal(d.range.start.line, d.range.end.line, 'single-line ranges');
    for (const s of c.says ?? [])
      assert.ok(diags[0]!.message.includes(s), `message "${diags[0]!.message}" should contain "${s}"`);
  });
}

test('related locations: duplicate scalar and late exclude point at the earlier line', () => {
  const dup = validateConfig(parseConfig('max_backups=3\nmax_backups=4'))[0]!;
  assert.deepEqual(dup.related?.[0]?.range.start, { line: 0, character: 0 });
  const late = validateConfig(parseConfig('# x\nvm-export=a.*\nexclude=ab'))[0]!;
  assert.deepEqual(late.related?.[0]?.range.start, { line: 1, character: 0 });
});

test('every diagnostic has a non-empty message and a documented-looking code', () => {
  const text =
    'a\nb=c=d\n  #x\nmax_backups=1\nmax_backups=2\nfoo=1\npool_db_backup=3\nvdi_export_format=x\nvm-export=a:b\n' +
    'vm-export=PROD*\nexclude=x.y';
  for (const d of validateConfig(parseConfig(text))) {
    assert.match(d.code, /^VMB\d{3}$/);
    assert.ok(d.message.length > 10);
  }
});

test('huge CRLF file with BOM: diagnostics keep exact positions at the end', () => {
  const lines = ['max_backups=3'];
  for (let i = 0; i < 12000; i++) lines.push(i % 2 ? `vm-export=VM-${i}` : `# comment ${i}`);
  lines.push('max_backups=x y');
  const diags = validateConfig(parseConfig(`\ufeff${lines.join('\r\n')}\r\n`));
  assert.deepEqual(
    diags.map((d) => [d.code, d.range.start.line, d.range.start.character]),
    [
      ['VMB019', 0, 0],
      ['VMB004', 12001, 0],
      ['VMB007', 12001, 12],
    ],
  );
});

test('key suggestions follow the known keys of each mode, also for a typo repeated on many lines', () => {
  const unknownKey = (text: string, options?: ValidateOptions) =>
    validateConfig(parseConfig(text), options)
      .filter((d) => d.code === 'VMB005')
      .map((d) => [
        d.range.start.line,
        d.message.match(/did you mean '([^']*)'/)?.[1] ?? '',
        d.fix?.edits[0]?.newText ?? '',
      ]);
  const text = 'compres=gzip\nmax_backup=2\ncompres=zstd\nmax_backup=3';
  const extended = [
    [0, 'compress', 'compress'],
    [1, 'max_backups', 'max_backups'],
    [2, 'compress', 'compress'],
    [3, 'max_backups', 'max_backups'],
  ];
  assert.deepEqual(unknownKey(text), extended);
  // The original knows no 'compress': no suggestion of it, then the extended answer again.
  assert.deepEqual(unknownKey(text, { compatibility: 'original' }), [
    [0, '', ''],
    [1, 'max_backups', 'max_backups'],
    [2, '', ''],
    [3, 'max_backups', 'max_backups'],
  ]);
  assert.deepEqual(unknownKey(text), extended);
});
