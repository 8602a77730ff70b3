// Where the original VmBackup (Python 2.7, `str` patterns) reads a pattern differently from
// Python 3 + re.ASCII, which this engine and its diagnostics follow. Facts from CPython 2.7's
// sre_parse.py: unknown escapes are literals, inline flags may appear anywhere, no atomic
// groups, possessive quantifiers, scoped flags, (?a), \u, \U or \N, ASCII-only group names.
import type { PyreNode } from './ast';
import { parsePython } from './engine';

function visit(nodes: readonly PyreNode[], fn: (node: PyreNode) => void): void {
  for (const node of nodes) {
    fn(node);
    if (node.type === 'alternation') node.branches.forEach((b) => visit(b, fn));
    else if (node.type === 'conditional') [node.yes, node.no ?? []].forEach((b) => visit(b, fn));
    else if ('body' in node) visit(node.body, fn);
  }
}

/** `\u`, `\U`, `\N` escapes (an odd number of backslashes before the letter). */
const UNICODE_ESCAPE = /(?<!\\)(?:\\\\)*\\([uUN])/g;

/**
 * For a pattern Python 3 accepts: each note is a reason Python 2.7 *rejects* it (the
 * original logs "invalid regex" and skips the line). For a pattern Python 3 rejects: notes
 * say where Python 2.7 accepted it. Empty when both agree.
 */
export function python2Differences(pattern: string): string[] {
  const parsed = parsePython(pattern);
  if (!parsed.ok) {
    const { message } = parsed.error;
    if (/^bad escape \\[A-Za-z]$/.test(message)) {
      const letter = message.slice(-1);
      return [`Python 2.7 read the unknown escape \\${letter} as the letter "${letter}"; Python 3.7+ rejects it.`];
    }
    if (message === 'global flags not at the start of the expression') {
      return ['Python 2.7 accepted inline flags such as (?i) anywhere in the pattern; Python 3.11+ only at the start.'];
    }
    if (message === 'ASCII and UNICODE flags are incompatible') {
      return ['Python 2.7 accepted (?u) (Unicode \\w, \\d, \\s, \\b); VmBackup names are matched ASCII-only here.'];
    }
    if (message === "bad inline flags: cannot use 'L' flag with a str pattern") {
      return ['Python 2.7 accepted the (?L) locale flag on str patterns.'];
    }
    if (
      /^(incomplete escape \\[uU]|bad escape \\U)/.test(message) ||
      (/^missing (\{|character name|\}, unterminated name)/.test(message) && /\\N/.test(pattern))
    ) {
      return ['Python 2.7 had no \\u, \\U or \\N escapes and read them as plain letters.'];
    }
    if (message.startsWith('octal escape value')) return ['Python 2.7 accepted octal escapes above \\377.'];
    if (
      message === 'cannot refer to an open group' ||
      message === 'bad group number' ||
      message.startsWith('cannot refer to group defined in the same lookbehind')
    ) {
      return ['Python 2.7 accepted this group reference (and matched it differently).'];
    }
    return [];
  }
  const notes = new Set<string>();
  if (parsed.ast.writtenFlags.has('ascii')) notes.add('The (?a) flag does not exist in Python 2.7.');
  visit(parsed.ast.body, (node) => {
    if (node.type === 'atomic') notes.add('Atomic groups (?>...) are new in Python 3.11.');
    if (node.type === 'repeat' && node.mode === 'possessive') {
      notes.add('Possessive quantifiers (*+, ++, ?+, {m,n}+) are new in Python 3.11.');
    }
    if (node.type === 'group' && (Object.keys(node.addFlags).length || Object.keys(node.delFlags).length)) {
      notes.add('Scoped inline flags such as (?i:...) are new in Python 3.6.');
    }
    if (node.type === 'group' && node.name !== null && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(node.name)) {
      notes.add(`Python 2.7 only allows ASCII group names (${node.name}).`);
    }
  });
  return [...notes];
}

/**
 * For a pattern both Python versions accept: where Python 2.7 matches something else.
 * `\u00e9`, `\U0001F600` and `\N{...}` were unknown escapes in 2.7 `str` patterns, read as
 * the letters u, U and N.
 */
export function python2MeaningDifferences(pattern: string): string[] {
  const parsed = parsePython(pattern);
  if (!parsed.ok) return [];
  const letters = new Set(Array.from(pattern.matchAll(UNICODE_ESCAPE), (m) => m[1]));
  const notes = [...letters].map(
    (letter) =>
      `Python 2.7 read \\${letter} as the plain letter "${letter}" (no \\${letter} escapes in Python 2 str patterns).`,
  );
  let lookbehindRef = false;
  visit(parsed.ast.body, (node) => {
    if (node.type === 'lookaround' && node.behind)
      visit(node.body, (inner) => (lookbehindRef ||= inner.type === 'backref'));
  });
  if (lookbehindRef)
    notes.push('Python 2.7 did not support group references inside a look-behind (it matched them differently).');
  return notes;
}
