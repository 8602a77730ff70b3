// Python 3.11 `re` pattern parser: a TypeScript rendering of CPython's `re/_parser.py`
// (`_parse_sub`, `_parse`, `parse`) that accepts exactly what CPython accepts and raises the
// same messages at the same positions. CPython's branch/set optimisations are left out: they
// never change acceptance or the widths used by the look-behind rules.
import { MAXREPEAT, type FlagSet, type PyreAst, type PyreNode, type SetItem } from './ast';
import { classEscape, escape } from './escapes';
import { parseFlags } from './flags';
import { MAXGROUPS, ParserState } from './state';
import { Tokenizer, PyreSyntaxError, cpLength, isIdentifier, pyInt, pyRepr } from './tokenizer';
import { checkCompile } from './compile-checks';

const SPECIAL_CHARS = '.\\[{()*+?^$|';
const REPEAT_CHARS = '*+?{';
const DIGITS = '0123456789';
const WHITESPACE = ' \t\n\r\v\f';

const isSingle = (tok: string | null, chars: string): boolean =>
  tok !== null && cpLength(tok) === 1 && chars.includes(tok);

/** Parses `pattern` as `re.compile(pattern, re.ASCII)` would; throws PyreSyntaxError. */
export function parsePattern(pattern: string): { ast: PyreAst; unsupported: PyreSyntaxError | null } {
  const source = new Tokenizer(pattern);
  const state = new ParserState();
  state.flags.ascii = true;
  const body = parseSub(source, state, false, 0);
  if (state.flags.unicode) {
    // fix_flags(): re.ASCII together with a global (?u) is a ValueError without a position.
    throw new PyreSyntaxError('ASCII and UNICODE flags are incompatible', null);
  }
  if (source.next !== null) throw source.error('unbalanced parenthesis');
  for (const [group, pos] of state.groupRefPos) {
    if (group >= BigInt(state.groups)) throw new PyreSyntaxError(`invalid group reference ${group}`, pos);
  }
  const ast: PyreAst = {
    body,
    flags: state.flags,
    writtenFlags: state.writtenGlobalFlags,
    groupCount: state.groups - 1,
    groupNames: state.groupNames,
  };
  checkCompile(ast, state.groupWidths);
  return { ast, unsupported: state.unsupported };
}

/**
 * CPython's parser recurses twice per group level and hits Python's default recursion limit
 * (1000) when it enters the 496th nested group: RecursionError, no position. We stop at the
 * same depth (which also keeps our own recursion far from the JS stack limit).
 */
const MAX_NESTED = 2 * 496;

function parseSub(source: Tokenizer, state: ParserState, verbose: boolean, nested: number): PyreNode[] {
  if (nested >= MAX_NESTED) {
    throw new PyreSyntaxError('maximum recursion depth exceeded', null, false, source.tell() - 1);
  }
  const branches: PyreNode[][] = [];
  for (;;) {
    branches.push(parseSequence(source, state, verbose, nested + 1, nested === 0 && branches.length === 0));
    if (!source.match('|')) break;
    if (!nested) verbose = state.flags.verbose;
  }
  if (branches.length === 1) return branches[0];
  return [{ type: 'alternation', branches }];
}

function parseSequence(
  source: Tokenizer,
  state: ParserState,
  verbose: boolean,
  nested: number,
  first: boolean,
): PyreNode[] {
  const items: PyreNode[] = [];
  for (;;) {
    const token = source.next;
    if (token === null || token === '|' || token === ')') break;
    source.get();
    if (verbose) {
      if (isSingle(token, WHITESPACE)) continue;
      if (token === '#') {
        for (;;) {
          const t = source.get();
          if (t === null || t === '\n') break;
        }
        continue;
      }
    }
    if (token[0] === '\\') {
      items.push(escape(source, token, state));
    } else if (!isSingle(token, SPECIAL_CHARS)) {
      items.push({ type: 'literal', code: token.codePointAt(0)! });
    } else if (token === '[') {
      items.push(parseSet(source, state));
    } else if (REPEAT_CHARS.includes(token)) {
      parseRepeat(source, token, items);
    } else if (token === '.') {
      items.push({ type: 'any' });
    } else if (token === '(') {
      const node = parseGroup(source, state, verbose, nested, first && items.length === 0);
      if (node === 'globalFlags') {
        verbose = state.flags.verbose;
      } else if (node !== null) {
        items.push(node);
      }
    } else if (token === '^') {
      items.push({ type: 'anchor', kind: 'beginning' });
    } else if (token === '$') {
      items.push({ type: 'anchor', kind: 'end' });
    }
  }
  return items;
}

function parseSet(source: Tokenizer, state: ParserState): PyreNode {
  const here = source.tell() - 1;
  const items: SetItem[] = [];
  const negate = source.match('^');
  for (;;) {
    const token = source.get();
    if (token === null) throw source.error('unterminated character set', source.tell() - here);
    if (token === ']' && items.length > 0) break;
    const code1: SetItem =
      token[0] === '\\' ? classEscape(source, token, state) : { kind: 'char', code: token.codePointAt(0)! };
    if (source.match('-')) {
      const that = source.get();
      if (that === null) throw source.error('unterminated character set', source.tell() - here);
      if (that === ']') {
        items.push(code1, { kind: 'char', code: 0x2d });
        break;
      }
      const code2: SetItem =
        that[0] === '\\' ? classEscape(source, that, state) : { kind: 'char', code: that.codePointAt(0)! };
      const offset = cpLength(token) + 1 + cpLength(that);
      if (code1.kind === 'named' || code2.kind === 'named') {
        // Whether the range is ordered depends on the unresolved name: stop here.
        throw state.unsupported!;
      }
      if (code1.kind !== 'char' || code2.kind !== 'char' || code2.code < code1.code) {
        throw source.error(`bad character range ${token}-${that}`, offset);
      }
      items.push({ kind: 'range', lo: code1.code, hi: code2.code });
    } else {
      items.push(code1);
    }
  }
  return { type: 'set', negate, items };
}

function parseRepeat(source: Tokenizer, token: string, items: PyreNode[]): void {
  const here = source.tell();
  let min = 0;
  let max = MAXREPEAT;
  if (token === '?') max = 1;
  else if (token === '+') min = 1;
  else if (token === '{') {
    if (source.next === '}') {
      items.push({ type: 'literal', code: 0x7b });
      return;
    }
    let lo = '';
    let hi = '';
    while (isSingle(source.next, DIGITS)) lo += source.get();
    if (source.match(',')) {
      while (isSingle(source.next, DIGITS)) hi += source.get();
    } else {
      hi = lo;
    }
    if (!source.match('}')) {
      items.push({ type: 'literal', code: 0x7b });
      source.seek(here);
      return;
    }
    const tooLarge = () =>
      // OverflowError in CPython: no position; we point at the `{` for the editor.
      new PyreSyntaxError('the repetition number is too large', null, false, here - 1);
    if (lo) {
      if (BigInt(lo) >= BigInt(MAXREPEAT)) throw tooLarge();
      min = Number(lo);
    }
    if (hi) {
      if (BigInt(hi) >= BigInt(MAXREPEAT)) throw tooLarge();
      max = Number(hi);
      if (max < min) throw source.error('min repeat greater than max repeat', source.tell() - here);
    }
  }
  const offset = source.tell() - here + cpLength(token);
  const item = items.at(-1);
  if (item === undefined || item.type === 'anchor') throw source.error('nothing to repeat', offset);
  if (item.type === 'repeat') throw source.error('multiple repeat', offset);
  const mode = source.match('?') ? 'lazy' : source.match('+') ? 'possessive' : 'greedy';
  items[items.length - 1] = { type: 'repeat', min, max, mode, body: [item], start: here - 1 };
}

/** Parses after `(`; returns the node, null for a comment, 'globalFlags' for `(?i)`. */
function parseGroup(
  source: Tokenizer,
  state: ParserState,
  verbose: boolean,
  nested: number,
  atStart: boolean,
): PyreNode | null | 'globalFlags' {
  const start = source.tell() - 1;
  let capture = true;
  let atomic = false;
  let name: string | null = null;
  let addFlags: Partial<FlagSet> = {};
  let delFlags: Partial<FlagSet> = {};
  const unterminated = () => source.error('missing ), unterminated subpattern', source.tell() - start);
  if (source.match('?')) {
    const char = source.get();
    if (char === null) throw source.error('unexpected end of pattern');
    if (char === 'P') {
      if (source.match('<')) {
        name = source.getUntil('>', 'group name');
        source.checkGroupName(name, 1);
      } else if (source.match('=')) {
        const ref = source.getUntil(')', 'group name');
        source.checkGroupName(ref, 1);
        const gid = state.groupNames.get(ref);
        if (gid === undefined) throw source.error(`unknown group name ${pyRepr(ref)}`, cpLength(ref) + 1);
        if (!state.checkGroup(gid)) throw source.error('cannot refer to an open group', cpLength(ref) + 1);
        state.checkLookbehindGroup(gid, source);
        return { type: 'backref', group: gid, name: ref, start };
      } else {
        const next = source.get();
        if (next === null) throw source.error('unexpected end of pattern');
        throw source.error(`unknown extension ?P${next}`, cpLength(next) + 2);
      }
    } else if (char === ':') {
      capture = false;
    } else if (char === '#') {
      for (;;) {
        if (source.next === null) {
          throw source.error('missing ), unterminated comment', source.tell() - start);
        }
        if (source.get() === ')') break;
      }
      return null;
    } else if (char === '=' || char === '!' || char === '<') {
      let behind = false;
      let kind = char;
      let outerLookbehind: number | null = null;
      if (char === '<') {
        const next = source.get();
        if (next === null) throw source.error('unexpected end of pattern');
        if (next !== '=' && next !== '!') throw source.error(`unknown extension ?<${next}`, cpLength(next) + 2);
        kind = next;
        behind = true;
        outerLookbehind = state.lookbehindGroups;
        if (outerLookbehind === null) state.lookbehindGroups = state.groups;
      }
      const body = parseSub(source, state, verbose, nested + 1);
      if (behind && outerLookbehind === null) state.lookbehindGroups = null;
      if (!source.match(')')) throw unterminated();
      return { type: 'lookaround', behind, negate: kind === '!', body, start };
    } else if (char === '(') {
      return parseConditional(source, state, verbose, nested, start);
    } else if (char === '>') {
      capture = false;
      atomic = true;
    } else if (char === '-' || (cpLength(char) === 1 && 'iLmsxatu'.includes(char))) {
      const flags = parseFlags(source, state, char);
      if (flags === null) {
        if (!atStart) {
          throw source.error('global flags not at the start of the expression', source.tell() - start);
        }
        return 'globalFlags';
      }
      addFlags = Object.fromEntries([...flags.add].map((f) => [f, true]));
      delFlags = Object.fromEntries([...flags.del].map((f) => [f, true]));
      capture = false;
      if (flags.add.has('unicode')) {
        state.markUnsupported(
          new PyreSyntaxError('unsupported: (?u:...) Unicode matching (VmBackup matches ASCII-only)', start, true),
        );
      }
    } else {
      throw source.error(`unknown extension ?${char}`, cpLength(char) + 1);
    }
  }
  let group: number | null = null;
  if (capture) {
    try {
      group = state.openGroup(name);
    } catch (err) {
      if (err instanceof PyreSyntaxError) throw source.error(err.message, cpLength(name ?? '') + 1);
      throw err;
    }
  }
  const subVerbose = (verbose || addFlags.verbose === true) && delFlags.verbose !== true;
  const body = parseSub(source, state, subVerbose, nested + 1);
  if (!source.match(')')) throw unterminated();
  if (group !== null) state.closeGroup(group, body);
  if (atomic) return { type: 'atomic', body };
  return { type: 'group', index: group, name, addFlags, delFlags, body };
}

function parseConditional(
  source: Tokenizer,
  state: ParserState,
  verbose: boolean,
  nested: number,
  start: number,
): PyreNode {
  const condName = source.getUntil(')', 'group name');
  const offset = cpLength(condName) + 1;
  let condGroup: number;
  if (isIdentifier(condName)) {
    const gid = state.groupNames.get(condName);
    if (gid === undefined) throw source.error(`unknown group name ${pyRepr(condName)}`, offset);
    condGroup = gid;
  } else {
    const value = pyInt(condName);
    if (value === null || value < 0n) throw source.error(`bad character in group name ${pyRepr(condName)}`, offset);
    if (value === 0n) throw source.error('bad group number', offset);
    if (value >= BigInt(MAXGROUPS)) throw source.error(`invalid group reference ${value}`, offset);
    if (!state.groupRefPos.has(value)) state.groupRefPos.set(value, source.tell() - offset);
    condGroup = Number(value);
  }
  state.checkLookbehindGroup(condGroup, source);
  const yes = parseSequence(source, state, verbose, nested + 1, false);
  let no: PyreNode[] | null = null;
  if (source.match('|')) {
    no = parseSequence(source, state, verbose, nested + 1, false);
    if (source.next === '|') throw source.error('conditional backref with more than two branches');
  }
  if (!source.match(')')) throw source.error('missing ), unterminated subpattern', source.tell() - start);
  state.markUnsupported(
    new PyreSyntaxError('unsupported: conditional group (?(...)yes|no) has no JavaScript equivalent', start, true),
  );
  return { type: 'conditional', group: condGroup, yes, no };
}
