// AST -> JavaScript RegExp source with `re.match(pattern, name)` semantics under re.ASCII.
// Every Python construct is spelled out explicitly (character sets as code-point classes,
// anchors as look-arounds) so no JS flag other than `u` is needed: JS's `i`, `m` and `s`
// flags follow Unicode/JS rules that differ from Python's ASCII mode.
import type { FlagSet, PyreAst, PyreNode } from './ast';
import { MAXREPEAT } from './ast';
import { complement, jsChar, jsClass, normalize, setItemsToCharSet, withAsciiCase } from './charset';
import { PyreSyntaxError } from './tokenizer';

interface Scope {
  ignoreCase: boolean;
  multiline: boolean;
  dotAll: boolean;
}

const ANY_CHAR = '[\\s\\S]';

/** Thrown for a valid Python construct whose meaning JS cannot reproduce exactly. */
function unsupported(message: string, pos: number): PyreSyntaxError {
  return new PyreSyntaxError(`unsupported: ${message}`, pos, true);
}

export function translate(ast: PyreAst): string {
  const jsGroupOf = new Map<number, number>();
  let jsGroups = 0;

  const scopeWith = (scope: Scope, add: Partial<FlagSet>, del: Partial<FlagSet>): Scope => ({
    ignoreCase: (scope.ignoreCase || add.ignoreCase === true) && del.ignoreCase !== true,
    multiline: (scope.multiline || add.multiline === true) && del.multiline !== true,
    dotAll: (scope.dotAll || add.dotAll === true) && del.dotAll !== true,
  });

  /**
   * `set` holds the Python groups that have certainly matched when this point is reached in
   * the current iteration; a backreference is only emitted when its group is in it, because
   * JS matches an unset group as empty and resets captures on every loop iteration while
   * Python fails on an unset group and keeps captures of earlier iterations.
   */
  const sequence = (nodes: readonly PyreNode[], scope: Scope, set: Set<number>): string =>
    nodes.map((node) => emit(node, scope, set)).join('');

  const emit = (node: PyreNode, scope: Scope, set: Set<number>): string => {
    switch (node.type) {
      case 'literal':
        if (scope.ignoreCase && /[A-Za-z]/.test(String.fromCodePoint(node.code))) {
          return jsClass(withAsciiCase([[node.code, node.code]]));
        }
        return jsChar(node.code, false);
      case 'any':
        return scope.dotAll ? ANY_CHAR : '[^\\n]';
      case 'set': {
        let chars = setItemsToCharSet(node.items);
        if (scope.ignoreCase) chars = withAsciiCase(chars);
        return jsClass(node.negate ? complement(normalize(chars)) : chars);
      }
      case 'anchor':
        switch (node.kind) {
          case 'beginning':
            return scope.multiline ? '(?<![^\\n])' : '(?<![\\s\\S])';
          case 'end':
            return scope.multiline ? '(?=\\n|(?![\\s\\S]))' : '(?=\\n?(?![\\s\\S]))';
          case 'beginningString':
            return '(?<![\\s\\S])';
          case 'endString':
            return '(?![\\s\\S])';
          case 'boundary':
            // JS \b without the `i` flag uses ASCII word characters, as re.ASCII does; but
            // CPython's \b never matches in an empty string (neither does \B).
            return '(?:(?<=[\\s\\S])|(?=[\\s\\S]))\\b';
          case 'nonBoundary':
            return '(?:(?<=[\\s\\S])|(?=[\\s\\S]))\\B';
        }
        break;
      case 'group': {
        const inner = scopeWith(scope, node.addFlags, node.delFlags);
        if (node.index === null) return `(?:${sequence(node.body, inner, set)})`;
        jsGroupOf.set(node.index, ++jsGroups);
        const body = sequence(node.body, inner, set);
        set.add(node.index);
        return `(${body})`;
      }
      case 'atomic': {
        // (?>X) == (?=(X))\n: the look-ahead commits to X's first match.
        const helper = ++jsGroups;
        return `(?=(${sequence(node.body, scope, set)}))(?:\\${helper})`;
      }
      case 'repeat':
        return repeat(node, scope, set);
      case 'backref': {
        if (!set.has(node.group)) {
          throw unsupported(
            `backreference to group ${node.group} which may not have matched at that point ` +
              '(JavaScript and Python disagree there)',
            node.start,
          );
        }
        if (scope.ignoreCase) {
          throw unsupported('case-insensitive backreference (JavaScript would also fold non-ASCII letters)', node.start);
        }
        return `(?:\\${jsGroupOf.get(node.group)})`;
      }
      case 'lookaround': {
        const opener = `(?${node.behind ? '<' : ''}${node.negate ? '!' : '='}`;
        const inner = new Set(set);
        const body = sequence(node.body, scope, inner);
        if (!node.negate) for (const g of inner) set.add(g);
        return `${opener}${body})`;
      }
      case 'alternation': {
        const results = node.branches.map((branch) => {
          const inner = new Set(set);
          return { source: sequence(branch, scope, inner), set: inner };
        });
        for (const g of results[0].set) {
          if (results.every((r) => r.set.has(g))) set.add(g);
        }
        return `(?:${results.map((r) => r.source).join('|')})`;
      }
      case 'conditional':
        throw unsupported('conditional group (?(...)yes|no) has no JavaScript equivalent', 0);
      case 'namedChar':
        throw unsupported(`named Unicode escape \\N{${node.name}}`, 0);
    }
    throw new Error('unreachable');
  };

  const repeat = (node: Extract<PyreNode, { type: 'repeat' }>, scope: Scope, set: Set<number>): string => {
    const helper = node.mode === 'possessive' ? ++jsGroups : 0;
    // Groups inside the loop body are not known to be set after the loop (see above).
    const body = sequence(node.body, scope, new Set(set));
    const { min, max } = node;
    let quantifier: string;
    if (min === 0 && max === MAXREPEAT) quantifier = '*';
    else if (min === 1 && max === MAXREPEAT) quantifier = '+';
    else if (min === 0 && max === 1) quantifier = '?';
    else if (max === MAXREPEAT) quantifier = `{${min},}`;
    else if (min === max) quantifier = `{${min}}`;
    else quantifier = `{${min},${max}}`;
    const atom = `(?:${body})${quantifier}`;
    if (node.mode === 'lazy') return atom + '?';
    if (node.mode === 'possessive') return `(?=(${atom}))(?:\\${helper})`;
    return atom;
  };

  const scope: Scope = {
    ignoreCase: ast.flags.ignoreCase,
    multiline: ast.flags.multiline,
    dotAll: ast.flags.dotAll,
  };
  return `^(?:${sequence(ast.body, scope, new Set())})`;
}
