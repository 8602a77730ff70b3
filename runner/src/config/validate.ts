// Config diagnostics that need no pool: everything the original crashes on or silently
// misreads in the file itself (vmbackup-behaviour.md §2 and the selection rules of §3 that
// are visible without VMs), plus regex syntax errors (regex.ts). Each rule is a function of
// the parsed file; `validateConfig` runs them all (RULES). Pool-aware checks live in select/.

import type { ConfigDiagnostic, EntryLine, Fix, LineNode, ParsedConfig, Severity } from './types';
import { CODES } from './codes';
import { getKeySpec, KEY_SCHEMA, ORIGINAL_KEYS, type KeySpec } from './schema';

const ALL_KEYS: readonly string[] = KEY_SCHEMA.map((s) => s.key);
import { range } from './parse';
import {
  commentOutFix,
  escapeLiteral,
  insertEqualsFix,
  moveExcludesFix,
  removeLineEdit,
  removeLineFix,
  replaceNameFix,
} from './fixes';
import { isPlainName, isPyInt, pyIntValue, skipWhitespace, trimEnd } from './text';
import { parseCompress, parseMaxBackups, parsePoolDbBackup, parseSmtpServer } from './settings';
import { suggestKey } from './suggest';
import { colonCutsRegex, regexDiagnostics } from './regex';

export interface ValidateOptions {
  /** The runner's `ignore_extra_keys=True`: unknown keys become warnings. */
  ignoreExtraKeys?: boolean;
  /**
   * `extended` (default): our runner's view, extension keys are fine.
   * `original`: the file must also work with the original VmBackup.py.
   */
  compatibility?: 'extended' | 'original';
}

export interface RuleContext {
  parsed: ParsedConfig;
  options: Required<ValidateOptions>;
}

/** A diagnostic rule: a pure function of the parsed file and the options. */
export type ConfigRule = (ctx: RuleContext) => ConfigDiagnostic[];

const CRASH = 'VmBackup.py crashes on this line with a Python traceback';

function diag(code: string, severity: Severity, r: ConfigDiagnostic['range'], message: string): ConfigDiagnostic {
  return { code, severity, range: r, message };
}

function lineRule(node: LineNode): ConfigDiagnostic[] {
  if (node.kind === 'comment' && node.indented) {
    const hash = node.text.indexOf('#');
    const d = diag(
      CODES.indentedComment,
      'error',
      range(node.line, 0, node.text.length),
      `Comment with leading blanks: only a '#' in the first column starts a comment. ${CRASH} (or rejects it as an ` +
        'unknown key).',
    );
    d.fix = { title: 'Remove the blanks before #', edits: [{ range: range(node.line, 0, hash), newText: '' }] };
    return [d];
  }
  if (node.kind === 'malformed') {
    // Python's strip() whitespace, not JavaScript's (U+00A0 is content for the original).
    const start = skipWhitespace(node.text, 0, node.text.length);
    const whole = range(node.line, start, trimEnd(node.text, start, node.text.length));
    if (node.reason === 'missing-equals') {
      const message = `Line has no '=': every non-comment line must be key=value. ${CRASH}.`;
      const d = diag(CODES.missingEquals, 'error', whole, message);
      const insert = insertEqualsFix(node.line, node.text);
      const firstWord = /^[ \t]*([^\s:]+)/.exec(node.text)?.[1] ?? '';
      // Inserting '=' is the obvious fix after a known key; for prose, commenting it out is.
      if (insert && getKeySpec(firstWord)) {
        d.fix = insert;
        d.otherFixes = [commentOutFix(node.line)];
      } else {
        d.fix = commentOutFix(node.line);
        if (insert) d.otherFixes = [insert];
      }
      return [d];
    }
    const second = node.equalsRanges[1]!;
    return [
      diag(
        CODES.multipleEquals,
        'error',
        { start: second.start, end: node.equalsRanges[node.equalsRanges.length - 1]!.end },
        `Line has ${node.equalsRanges.length} '=' signs; ` +
          `the original splits on every '=' and accepts exactly one. ${CRASH}.`,
      ),
    ];
  }
  return [];
}

const INLINE_COMMENT = /[ \t\x0b\x0c]+#/;

function inlineComment(entry: EntryLine, spec: KeySpec | undefined): ConfigDiagnostic | undefined {
  const m = INLINE_COMMENT.exec(entry.value);
  if (!m) return undefined;
  const start = entry.valueRange.start.character;
  const scalar = !spec || spec.kind === 'scalar';
  const d = diag(
    CODES.inlineComment,
    scalar ? 'error' : 'warning',
    range(entry.line, start + m.index + m[0].length - 1, entry.valueRange.end.character),
    `VmBackup has no inline comments: the value is '${entry.value}', ` +
      `including '${entry.value.slice(m.index + m[0].length - 1)}'.` +
      (scalar ? ' The original rejects or misuses that value.' : ' It will not select the intended VMs.'),
  );
  d.fix = {
    title: 'Remove the inline comment',
    edits: [{ range: range(entry.line, start + m.index, entry.valueRange.end.character), newText: '' }],
  };
  return d;
}

function scalarValue(entry: EntryLine, spec: KeySpec, options: RuleContext['options']): ConfigDiagnostic[] {
  const v = entry.value;
  const r = entry.value === '' ? entry.equalsRange : entry.valueRange;
  switch (spec.key) {
    case 'pool_db_backup':
      return parsePoolDbBackup(v) === undefined
        ? [
            diag(
              CODES.poolDbBackupValue,
              'error',
              r,
              `pool_db_backup must be 0 or 1, not '${v}'. The original stops with "ERROR in configuration settings".`,
            ),
          ]
        : [];
    case 'max_backups':
      return parseMaxBackups(v) === undefined
        ? [
            diag(
              CODES.maxBackupsValue,
              'error',
              r,
              `max_backups must be an integer >= 1, not '${v}'. The original stops with "ERROR in configuration ` +
                'settings".',
            ),
          ]
        : [];
    case 'vdi_export_format':
      return v === 'raw' || v === 'vhd'
        ? []
        : [
            diag(
              CODES.vdiExportFormatValue,
              'error',
              r,
              `vdi_export_format must be raw or vhd (lower case), not '${v}'. The original stops with "ERROR in ` +
                'configuration settings".',
            ),
          ];
    case 'backup_dir':
    case 'status_log':
      if (v === '')
        return [
          diag(
            CODES.emptyScalar,
            'error',
            r,
            `${spec.key} is empty; the original fails (` +
              `${spec.key === 'backup_dir' ? 'the directory does not exist' : 'it cannot open the status log'}). ` +
              `Remove the line to use ${spec.default}.`,
          ),
        ];
      // `C:\…`, `C:/…`, `\\server\share…`: absolute on a Windows machine's own disk (--transport xapi).
      return v.startsWith('/') || /^([A-Za-z]:[\\/]|\\\\[^\\]+\\[^\\])/.test(v)
        ? []
        : [
            diag(
              CODES.relativePath,
              'warning',
              r,
              `${spec.key} '${v}' is not an absolute path: it is resolved against the directory cron starts the ` +
                'backup in.',
            ),
          ];
  }
  if (!spec.extension || options.compatibility === 'original') return [];
  if (v === '') return [diag(CODES.emptyScalar, 'error', r, `${spec.key} is empty. Remove the line or give a value.`)];
  const bad = (msg: string) => [diag(CODES.extensionValue, 'error', r, msg)];
  switch (spec.key) {
    case 'compress':
      return parseCompress(v) ? [] : bad(`compress must be false, true, gzip or zstd, not '${v}'.`);
    case 'smtp_server':
      return parseSmtpServer(v) ? [] : bad(`smtp_server must be host or host:port (port 1-65535), not '${v}'.`);
    case 'smtp_starttls':
      return v === '0' || v === '1' ? [] : bad(`smtp_starttls must be 0 or 1, not '${v}'.`);
    case 'mail_to':
    case 'mail_from':
      return v.split(',').every((a) => /^[^\s@]+@[^\s@]+$/.test(a.trim()))
        ? []
        : bad(
            `${spec.key} must be an e-mail address${spec.key === 'mail_to' ? ' (or several, comma-separated)' : ''}, ` +
              `not '${v}'.`,
          );
  }
  return [];
}

/** Removes `:N` (the colon and the text after it). */
function dropSuffix(suffix: NonNullable<EntryLine['suffix']>) {
  return { range: { start: suffix.colonRange.start, end: suffix.range.end }, newText: '' };
}

/** `:N` suffix rules of a selection line. */
function suffixRule(entry: EntryLine): ConfigDiagnostic[] {
  const suffix = entry.suffix;
  if (!suffix) return [];
  const second = suffix.text.indexOf(':');
  if (second !== -1) {
    const at = suffix.range.start.character + second;
    return [
      diag(
        CODES.multipleColons,
        'error',
        range(entry.line, at, at + 1),
        `Value has more than one ':'; the original takes '${entry.name}' as the name ` +
          `and '${suffix.text.slice(0, second)}' as N, drops the rest, and crashes later. ` +
          "A regex cannot contain ':' here.",
      ),
    ].map((d) => ({
      ...d,
      fix: {
        title: `Keep '${entry.name}:${suffix.text.slice(0, second)}' (drop '${suffix.text.slice(second)}')`,
        edits: [{ range: range(entry.line, at, suffix.range.end.character), newText: '' }],
      },
    }));
  }
  if (suffix.text === '') return [];
  if (!isPyInt(suffix.text)) {
    return [
      diag(
        CODES.suffixNotInteger,
        'error',
        suffix.range,
        `':${suffix.text}' is not an integer max_backups override. The original stops with "vm_max_backup is invalid".`,
      ),
    ].map((d) => ({ ...d, fix: { title: `Remove ':${suffix.text}' (use max_backups)`, edits: [dropSuffix(suffix)] } }));
  }
  if (pyIntValue(suffix.text) <= 0) {
    const d = diag(
      CODES.suffixNotPositive,
      'warning',
      suffix.range,
      `':${suffix.text}' is not >= 1: the original silently uses the global max_backups instead.`,
    );
    // Without the suffix the runner does exactly the same (global max_backups): a safe fix.
    d.fix = {
      title: `Remove ':${suffix.text}' (max_backups applies either way)`,
      edits: [dropSuffix(suffix)],
      safe: true,
    };
    return [d];
  }
  return [];
}

const PREFIX_WILDCARD = /^[A-Za-z0-9_ \t-]*\*$/;
const DOTTED_LITERAL = /^[A-Za-z0-9_ \t.-]*\.[A-Za-z0-9_ \t.-]*$/;

function nameRule(ctxParsed: ParsedConfig, entry: EntryLine, spec: KeySpec, out: ConfigDiagnostic[]): void {
  const name = entry.name;
  if (entry.value === '') {
    if (entry.key === 'exclude' || entry.key === 'vdi-export') {
      const d = diag(CODES.emptyIgnored, 'information', entry.keyRange, `Empty ${entry.key}= is ignored.`);
      d.fix = { ...removeLineFix(ctxParsed, entry.line, 'Remove the line (it is ignored)'), safe: true };
      out.push(d);
      return;
    }
  }
  if (name === '') {
    const d = diag(
      CODES.selectsEverything,
      'warning',
      entry.value === '' ? entry.keyRange : (entry.suffix?.colonRange ?? entry.keyRange),
      `${entry.key} with an empty name is the empty regex: it selects every VM in the pool (not yet excluded). Write ` +
        `'.*' if that is intended.`,
    );
    // '.*' selects exactly what the empty regex selects: the file only says it.
    const at = entry.suffix ? entry.suffix.colonRange.start : entry.valueRange.start;
    const edits = [{ range: { start: at, end: at }, newText: '.*' }];
    d.fix = { title: `Write '.*' (every VM, as now)`, edits, safe: true };
    d.otherFixes = [removeLineFix(ctxParsed, entry.line, 'Remove the line')];
    out.push(d);
    return;
  }
  if (entry.suffix && trimEnd(name, 0, name.length) < name.length) {
    const kept = trimEnd(name, 0, name.length);
    const start = entry.nameRange.start.character;
    const d = diag(
      CODES.blankBeforeColon,
      'warning',
      range(entry.line, start + kept, start + name.length),
      `Blank before ':': the original does not strip the name part, so it looks for '${name}' including the trailing ` +
        'blank, which no VM is called.',
    );
    d.fix = { title: 'Remove the blank before :', edits: [{ range: d.range, newText: '' }] };
    out.push(d);
  }
  if (PREFIX_WILDCARD.test(name)) {
    const base = name.slice(0, -1);
    const d = diag(
      CODES.prefixWildcard,
      'warning',
      entry.nameRange,
      name === '*'
        ? `'*' was the v3.0 wildcard for "all VMs"; in the Python regex syntax used since v3.1 it is an error. ` +
            "Use '.*'."
        : `'${name}' looks like the v3.0 prefix wildcard. Since v3.1 it is a Python regex: '${base.slice(-1)}*' ` +
            `means zero or more '${base.slice(-1)}', so it also matches names starting with '${base.slice(0, -1)}'. ` +
            `Use '${base}.*'.`,
    );
    d.fix = replaceNameFix(`Change to ${base}.*`, entry, `${base}.*`);
    out.push(d);
  } else if (DOTTED_LITERAL.test(name) && !isPlainName(name)) {
    const escaped = `${escapeLiteral(name)}$`;
    const d = diag(
      CODES.literalLooksRegex,
      'information',
      entry.nameRange,
      `'${name}' contains '.', so it is a regex, not a plain name: '.' matches any character and the match is a ` +
        `prefix match (it also selects e.g. '${name.replace('.', '-')}' and '${name}2').`,
    );
    d.fix = replaceNameFix(`Match exactly '${name}' (${escaped})`, entry, escaped);
    out.push(d);
  }
  if (spec.kind === 'selection' && entry.suffix && !colonCutsRegex(entry)) out.push(...suffixRule(entry));
}

function entryRules(parsed: ParsedConfig, options: RuleContext['options']): ConfigDiagnostic[] {
  const out: ConfigDiagnostic[] = [];
  const seenScalar = new Map<string, EntryLine>();
  const knownKeys = options.compatibility === 'extended' ? ALL_KEYS : ORIGINAL_KEYS;
  let firstSelection: EntryLine | undefined;
  const lateExcludes: EntryLine[] = [];
  let scalarLines: Map<string, EntryLine[]> | undefined;
  for (const entry of parsed.entries) {
    const spec = getKeySpec(entry.key);
    if (!spec || (spec.extension && options.compatibility === 'original')) {
      const suggestion = suggestKey(entry.key, knownKeys);
      const original = spec !== undefined;
      const severity: Severity = options.ignoreExtraKeys ? 'warning' : 'error';
      const d = diag(
        original ? CODES.extensionKeyInOriginal : CODES.unknownKey,
        severity,
        entry.key === '' ? entry.equalsRange : entry.keyRange,
        (original
          ? `'${entry.key}' is a vmbackup extension; ` +
            `the original VmBackup.py rejects it ("unexpected config key: ${entry.key}").`
          : entry.key === ''
            ? `Line has no key before '=' (the original reads the empty key '').`
            : `Unknown key '${entry.key}'${suggestion ? ` - did you mean '${suggestion}'?` : ''} (keys are ` +
              'case-sensitive).') +
          (options.ignoreExtraKeys
            ? ' ignore_extra_keys=True: the line is ignored.'
            : ' The run stops with "unexpected config key"; ignore_extra_keys=True would skip it.'),
      );
      const extensionTitle = `Remove the line ('${entry.key}' is a vmbackup extension)`;
      if (original) d.fix = removeLineFix(parsed, entry.line, extensionTitle);
      else if (suggestion) keyTypoFixes(parsed, entry, suggestion, d, (scalarLines ??= linesByScalarKey(parsed)));
      out.push(d);
      if (!spec) continue;
    }
    if (spec.kind === 'scalar') {
      const first = seenScalar.get(entry.key);
      if (first) {
        const d = diag(
          CODES.duplicateScalar,
          spec.extension ? 'warning' : 'error',
          entry.keyRange,
          spec.extension
            ? `'${entry.key}' is already set on line ${first.line + 1}; this later value wins.`
            : `'${entry.key}' is already set on line ${first.line + 1}. The original turns a repeated setting into a ` +
                'list and crashes with a Python traceback during validation.',
        );
        d.related = [{ range: first.keyRange, message: `first '${entry.key}' here` }];
        const firstText = `${first.key}=${first.value}`;
        const removeThis = removeLineFix(
          parsed,
          entry.line,
          `Remove this line (keep ${firstText} of line ${first.line + 1})`,
        );
        // The runner uses the last value of an extension key: keeping it changes nothing.
        const keepLast: Fix = {
          title: `Keep this value (remove line ${first.line + 1}: ${firstText})`,
          edits: [removeLineEdit(parsed, first.line)],
          ...(spec.extension ? { safe: true } : {}),
        };
        d.fix = spec.extension ? keepLast : removeThis;
        d.otherFixes = [spec.extension ? removeThis : keepLast];
        out.push(d);
      } else {
        seenScalar.set(entry.key, entry);
      }
      const comment = inlineComment(entry, spec);
      if (comment) out.push(comment);
      else out.push(...scalarValue(entry, spec, options).map((d) => withScalarFixes(parsed, entry, spec, d)));
      continue;
    }
    const comment = inlineComment(entry, spec);
    if (comment) out.push(comment);
    if (spec.kind === 'selection') firstSelection ??= entry;
    else if (firstSelection && entry.value !== '') lateExcludes.push(entry);
    nameRule(parsed, entry, spec, out);
  }
  if (firstSelection && lateExcludes.length > 0) {
    const fix = moveExcludesFix(parsed, firstSelection, lateExcludes);
    for (const entry of lateExcludes) {
      const d = diag(
        CODES.excludeAfterSelection,
        'warning',
        entry.keyRange,
        `exclude after the first selection (line ${firstSelection.line + 1}): ALL excludes must come before any VM ` +
          'selection. This exclude does not remove VMs from the lines above it (v3.1/v3.2 back them up anyway; v3.25 ' +
          'drops them at the end with "forcing exclude").',
      );
      d.related = [{ range: firstSelection.keyRange, message: 'first selection' }];
      d.fix = fix;
      out.push(d);
    }
  }
  return out;
}

/** Replace the value of a setting line (also when it is empty). */
function valueFix(entry: EntryLine, value: string, title = `Change to ${entry.key}=${value}`): Fix {
  return { title, edits: [{ range: entry.valueRange, newText: value }] };
}

/** The obvious corrections of an invalid setting value (VMB006/007/008/022). */
function withScalarFixes(parsed: ParsedConfig, entry: EntryLine, spec: KeySpec, d: ConfigDiagnostic): ConfigDiagnostic {
  const v = entry.value;
  const byDefault = spec.default !== undefined ? ` ${spec.default}` : '';
  const removeLine = removeLineFix(parsed, entry.line, `Remove the line (use the default${byDefault})`);
  switch (d.code) {
    case CODES.poolDbBackupValue: {
      const yes = /^(true|yes|on|y)$/i.test(v);
      const [first, second] = yes ? ['1', '0'] : ['0', '1'];
      return { ...d, fix: valueFix(entry, first!), otherFixes: [valueFix(entry, second!)] };
    }
    case CODES.maxBackupsValue: {
      const number = Number(v);
      const whole = Number.isFinite(number) && number >= 1 ? String(Math.floor(number)) : undefined;
      const standard = spec.default ?? '4';
      const fallback = valueFix(entry, standard, `Change to ${entry.key}=${standard} (the default)`);
      if (whole && whole !== v) return { ...d, fix: valueFix(entry, whole), otherFixes: [fallback, removeLine] };
      return { ...d, fix: fallback, otherFixes: [removeLine] };
    }
    case CODES.vdiExportFormatValue: {
      const lower = v.toLowerCase();
      if (lower === 'raw' || lower === 'vhd') return { ...d, fix: valueFix(entry, lower) };
      return { ...d, fix: valueFix(entry, 'raw'), otherFixes: [valueFix(entry, 'vhd')] };
    }
    case CODES.emptyScalar:
      return { ...d, fix: removeLine };
    default:
      return d;
  }
}

/** The lines of each setting key (built once per file: many typos must not rescan it). */
function linesByScalarKey(parsed: ParsedConfig): Map<string, EntryLine[]> {
  const byKey = new Map<string, EntryLine[]>();
  for (const e of parsed.entries) {
    if (getKeySpec(e.key)?.kind !== 'scalar') continue;
    const list = byKey.get(e.key);
    if (list) list.push(e);
    else byKey.set(e.key, [e]);
  }
  return byKey;
}

/**
 * VMB005 near miss: rename the key, unless that creates a second setting of a scalar key
 * already in the file (VMB004). Then the fixes are "remove this line" (the value already set
 * stays) or "rename and remove the other line" (this value wins).
 */
function keyTypoFixes(
  parsed: ParsedConfig,
  entry: EntryLine,
  suggestion: string,
  d: ConfigDiagnostic,
  scalarLines: ReadonlyMap<string, EntryLine[]>,
): void {
  const rename = { range: entry.keyRange, newText: suggestion };
  const existing = scalarLines.get(suggestion) ?? [];
  if (existing.length === 0) {
    d.fix = { title: `Change to '${suggestion}'`, edits: [rename] };
    return;
  }
  const lines = existing.map((e) => e.line + 1).join(', ');
  d.fix = removeLineFix(parsed, entry.line, `Remove this line ('${suggestion}' is already set on line ${lines})`);
  d.otherFixes = [
    {
      title: `Change to '${suggestion}' and remove line ${lines} (this value wins)`,
      edits: [rename, ...existing.map((e) => removeLineEdit(parsed, e.line))],
    },
  ];
}

function bomRule(parsed: ParsedConfig): ConfigDiagnostic[] {
  if (!parsed.hasBom) return [];
  return [
    diag(
      CODES.byteOrderMark,
      'error',
      range(0, 0, parsed.lines[0]?.text.length ?? 0),
      'The file starts with a UTF-8 byte order mark. The original reads it as part of line 1 (a comment there is no ' +
        'longer a comment, a key gets an invisible prefix) and fails. Save the file without BOM.',
    ),
  ];
}

function lineRules(ctx: RuleContext): ConfigDiagnostic[] {
  const out: ConfigDiagnostic[] = [];
  for (const node of ctx.parsed.lines) {
    if (node.kind === 'comment' || node.kind === 'malformed') out.push(...lineRule(node));
  }
  return out;
}

/** Every rule validateConfig runs, in order. Regex syntax rules join this list. */
const RULES: readonly ConfigRule[] = [
  (ctx) => bomRule(ctx.parsed),
  lineRules,
  (ctx) => entryRules(ctx.parsed, ctx.options),
  (ctx) => regexDiagnostics(ctx.parsed, ctx.options),
];

function byPosition(a: ConfigDiagnostic, b: ConfigDiagnostic): number {
  return (
    a.range.start.line - b.range.start.line ||
    a.range.start.character - b.range.start.character ||
    (a.code < b.code ? -1 : a.code > b.code ? 1 : 0)
  );
}

export function validateConfig(parsed: ParsedConfig, options: ValidateOptions = {}): ConfigDiagnostic[] {
  const ctx: RuleContext = {
    parsed,
    options: { ignoreExtraKeys: options.ignoreExtraKeys ?? false, compatibility: options.compatibility ?? 'extended' },
  };
  const out: ConfigDiagnostic[] = [];
  for (const rule of RULES) out.push(...rule(ctx));
  return out.sort(byPosition);
}
