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
  /** Inside an atomic group, a possessive repeat or a capturing look-ahead: the first match found is kept. */
  committing: boolean;
}

const ANY_CHAR = '[\\s\\S]';

/** Thrown for a valid Python construct whose meaning JS cannot reproduce exactly. */
function unsupported(message: string, pos: number): PyreSyntaxError {
  return new PyreSyntaxError(`unsupported: ${message}`, pos, true);
}

export function translate(ast: PyreAst): string {
  const jsGroupOf = new Map<number, number>();
  let jsGroups = 0;

  const groupBodies = collectGroups(ast.body);
  const canBeEmpty = (nodes: readonly PyreNode[]): boolean => nodes.every((n) => nodeCanBeEmpty(n, groupBodies));
  /** True when, among the matches of `nodes` at one position, an empty one is tried last. */
  const emptyLast = (nodes: readonly PyreNode[]): boolean =>
    nodes.every((node) => {
      switch (node.type) {
        case 'group':
          return emptyLast(node.body);
        case 'alternation':
          return node.branches.every((b, i) => (i === node.branches.length - 1 ? emptyLast(b) : !canBeEmpty(b)));
        case 'repeat':
          if (node.mode === 'possessive') return true;
          if (node.mode === 'lazy') return !canBeEmpty([node]);
          return emptyLast(node.body);
        case 'conditional':
          return false;
        default:
          return true; // no empty option, or a single option
      }
    });

  const scopeWith = (scope: Scope, add: Partial<FlagSet>, del: Partial<FlagSet>): Scope => ({
    committing: scope.committing,
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
        return `(?=(${sequence(node.body, { ...scope, committing: true }, set)}))(?:\\${helper})`;
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
          throw unsupported(
            'case-insensitive backreference (JavaScript would also fold non-ASCII letters)',
            node.start,
          );
        }
        return `(?:\\${jsGroupOf.get(node.group)})`;
      }
      case 'lookaround': {
        const opener = `(?${node.behind ? '<' : ''}${node.negate ? '!' : '='}`;
        const inner = new Set(set);
        // A positive look-around keeps the captures of its first match; a negative one keeps none.
        const committing = scope.committing || (!node.negate && containsCapture(node.body));
        const body = sequence(node.body, { ...scope, committing }, inner);
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

  /**
   * After a loop, a group of its body is certainly set (to the last iteration's value, in
   * both engines) only if at least one iteration ran and no iteration could be empty (sre
   * would count an empty last iteration that JS never makes).
   */
  const keepLoopCaptures = (node: Extract<PyreNode, { type: 'repeat' }>, inner: Set<number>, set: Set<number>) => {
    if (node.min >= 1 && !canBeEmpty(node.body)) for (const g of inner) set.add(g);
  };

  const repeat = (node: Extract<PyreNode, { type: 'repeat' }>, scope: Scope, set: Set<number>): string => {
    if (scope.committing && node.max > node.min && canBeEmpty(node.body) && !emptyLast(node.body)) {
      // CPython accepts an empty iteration and then leaves the loop; JS rejects the empty
      // iteration and goes on with the body's other alternatives. Only the order of the
      // attempts differs, which matters where the first match found is kept.
      throw unsupported(
        'a repeated subpattern that prefers the empty string inside an atomic group, possessive ' +
          'quantifier or capturing look-ahead (JavaScript tries the alternatives in another order)',
        node.start,
      );
    }
    if (node.mode === 'possessive') {
      // X{m,n}+ == each iteration atomic, and the whole loop atomic (as sre's POSSESSIVE_REPEAT).
      const loop = ++jsGroups;
      const iteration = ++jsGroups;
      const inner = new Set(set);
      const body = sequence(node.body, { ...scope, committing: true }, inner);
      keepLoopCaptures(node, inner, set);
      return `(?=((?:(?=(${body}))(?:\\${iteration}))${quantifierOf(node.min, node.max)}))(?:\\${loop})`;
    }
    const inner = new Set(set);
    const body = sequence(node.body, scope, inner);
    keepLoopCaptures(node, inner, set);
    const atom = `(?:${body})${quantifierOf(node.min, node.max)}`;
    return node.mode === 'lazy' ? atom + '?' : atom;
  };
  const scope: Scope = {
    ignoreCase: ast.flags.ignoreCase,
    multiline: ast.flags.multiline,
    dotAll: ast.flags.dotAll,
    committing: false,
  };
  return `^(?:${sequence(ast.body, scope, new Set())})`;
}

function quantifierOf(min: number, max: number): string {
  if (min === 0 && max === MAXREPEAT) return '*';
  if (min === 1 && max === MAXREPEAT) return '+';
  if (min === 0 && max === 1) return '?';
  if (max === MAXREPEAT) return `{${min},}`;
  if (min === max) return `{${min}}`;
  return `{${min},${max}}`;
}

export function collectGroups(
  nodes: readonly PyreNode[],
  out = new Map<number, PyreNode[]>(),
): Map<number, PyreNode[]> {
  for (const node of nodes) {
    if (node.type === 'group' && node.index !== null) out.set(node.index, node.body);
    for (const child of children(node)) collectGroups(child, out);
  }
  return out;
}

export function children(node: PyreNode): PyreNode[][] {
  switch (node.type) {
    case 'group':
    case 'atomic':
    case 'repeat':
    case 'lookaround':
      return [node.body];
    case 'alternation':
      return node.branches;
    case 'conditional':
      return node.no ? [node.yes, node.no] : [node.yes];
    default:
      return [];
  }
}

function containsCapture(nodes: readonly PyreNode[]): boolean {
  return nodes.some((n) => (n.type === 'group' && n.index !== null) || children(n).some(containsCapture));
}

export function nodeCanBeEmpty(
  node: PyreNode,
  groups: ReadonlyMap<number, PyreNode[]>,
  seen = new Set<number>(),
): boolean {
  const all = (nodes: readonly PyreNode[]) => nodes.every((n) => nodeCanBeEmpty(n, groups, seen));
  switch (node.type) {
    case 'literal':
    case 'any':
    case 'set':
    case 'namedChar':
      return false;
    case 'anchor':
    case 'lookaround':
    case 'conditional':
      return true;
    case 'group':
    case 'atomic':
      return all(node.body);
    case 'alternation':
      return node.branches.some(all);
    case 'repeat':
      return node.min === 0 || all(node.body);
    case 'backref': {
      if (seen.has(node.group)) return true;
      seen.add(node.group);
      return all(groups.get(node.group) ?? []);
    }
  }
}
