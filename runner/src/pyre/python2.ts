// Where the original VmBackup (Python 2.7, str patterns) would read a pattern differently
// from Python 3 + re.ASCII, which is what this engine and its diagnostics follow.
import { parsePython } from './engine';

export function python2Differences(pattern: string): string[] {
  const notes: string[] = [];
  const parsed = parsePython(pattern);
  if (!parsed.ok) {
    const { message } = parsed.error;
    if (/^bad escape \\[A-Za-z]$/.test(message)) {
      notes.push(`Python 2 accepted the unknown escape ${message.slice(11)} as a plain letter; Python 3.7+ rejects it.`);
    } else if (message === 'global flags not at the start of the expression') {
      notes.push('Python 2 accepted inline flags like (?i) anywhere; Python 3.11+ requires them at the start.');
    } else if (message === 'ASCII and UNICODE flags are incompatible') {
      notes.push('In Python 2, (?u) switched \\w, \\d, \\s and \\b to Unicode; here matching is ASCII-only.');
    }
  }
  if (/\(\?>|[*+?}]\+/.test(pattern)) {
    notes.push('Atomic groups (?>...) and possessive quantifiers (*+, ++, ?+, {m,n}+) are errors in Python 2 (new in 3.11).');
  }
  if (/\(\?[imsxau-]*-?[imsxau]*:/.test(pattern)) {
    notes.push('Scoped inline flags (?i:...) are errors in Python 2 (new in 3.6).');
  }
  if (/\\[uUN]/.test(pattern)) {
    notes.push('Python 2 str patterns have no \\u, \\U or \\N escapes.');
  }
  if (/\(\?a/.test(pattern)) {
    notes.push('The (?a) flag does not exist in Python 2.');
  }
  return notes;
}
