// The literal text every match must start with: re.match anchors at the start, so a pattern
// whose top-level sequence begins with plain characters (`DEV-RH.*` -> `DEV-RH`) can only
// match names starting with them. Selection uses it to skip the regex for all other names.
import { parsePython } from './engine';

/** The leading literal characters of `pattern` ('' when none or when case is ignored). */
export function literalPrefix(pattern: string): string {
  const parsed = parsePython(pattern);
  if (!parsed.ok || parsed.ast.flags.ignoreCase) return '';
  let prefix = '';
  for (const node of parsed.ast.body) {
    if (node.type !== 'literal') break;
    prefix += String.fromCodePoint(node.code);
  }
  return prefix;
}
