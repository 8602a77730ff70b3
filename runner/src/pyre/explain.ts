// A short plain-English reading of a Python regex for hovers. It stresses what admins get
// wrong most: re.match is anchored at the start only, so a regex is a *prefix* match.
import type { PyreNode, SetItem } from './ast';
import { MAXREPEAT } from './ast';
import { parsePython } from './engine';
import { children, collectGroups, nodeCanBeEmpty } from './translate';

/** True when the pattern has no anchor, look-around or backreference anywhere. */
function unconstrained(nodes: readonly PyreNode[]): boolean {
  return nodes.every(
    (n) =>
      n.type !== 'anchor' &&
      n.type !== 'lookaround' &&
      n.type !== 'backref' &&
      n.type !== 'conditional' &&
      children(n).every(unconstrained),
  );
}

const CATEGORY_WORDS = {
  d: 'a digit',
  D: 'a non-digit',
  s: 'a blank',
  S: 'a non-blank',
  w: 'a letter, digit or _',
  W: 'a character other than a letter, digit or _',
} as const;

function quoteChars(codes: number[]): string {
  return JSON.stringify(String.fromCodePoint(...codes));
}

function describeSetItem(item: SetItem): string {
  if (item.kind === 'char') return quoteChars([item.code]);
  if (item.kind === 'range') return `${quoteChars([item.lo])}-${quoteChars([item.hi])}`;
  if (item.kind === 'named') return `\\N{${item.name}}`;
  return CATEGORY_WORDS[item.category];
}

function describeSet(node: Extract<PyreNode, { type: 'set' }>): string {
  if (!node.negate && node.items.length === 1 && node.items[0].kind === 'category') {
    return CATEGORY_WORDS[node.items[0].category];
  }
  const list = node.items.map(describeSetItem);
  const joined = list.length > 1 ? `${list.slice(0, -1).join(', ')} or ${list.at(-1)}` : (list[0] ?? 'nothing');
  return node.negate ? `any character except ${joined}` : `one of ${joined}`;
}

function times(min: number, max: number): string {
  if (min === 0 && max === MAXREPEAT) return 'zero or more times';
  if (min === 1 && max === MAXREPEAT) return 'one or more times';
  if (min === 0 && max === 1) return 'optionally';
  if (max === MAXREPEAT) return `${min} or more times`;
  if (min === max) return `exactly ${min} times`;
  return `${min} to ${max} times`;
}

function isAnyChar(nodes: readonly PyreNode[]): boolean {
  return nodes.length === 1 && nodes[0].type === 'any';
}

/** Describes a sequence as a list of phrases; runs of literals become one quoted string. */
function describeSequence(nodes: readonly PyreNode[]): string[] {
  const parts: string[] = [];
  let literal: number[] = [];
  const flush = () => {
    if (literal.length) parts.push(quoteChars(literal));
    literal = [];
  };
  for (const node of nodes) {
    if (node.type === 'literal') {
      literal.push(node.code);
      continue;
    }
    flush();
    parts.push(describeNode(node));
  }
  flush();
  return parts;
}

function describeNode(node: PyreNode): string {
  switch (node.type) {
    case 'literal':
      return quoteChars([node.code]);
    case 'any':
      return 'any character';
    case 'set':
      return describeSet(node);
    case 'anchor':
      return {
        beginning: 'the start',
        end: 'the end of the name',
        beginningString: 'the start',
        endString: 'the very end of the name',
        boundary: 'a word boundary',
        nonBoundary: 'a non-boundary',
      }[node.kind];
    case 'group':
    case 'atomic': {
      const inner = describeSequence(node.body).join(' then ');
      return node.type === 'group' && node.name ? `(${inner}, named ${node.name})` : `(${inner})`;
    }
    case 'repeat':
      if (isAnyChar(node.body)) {
        if (node.min === 0 && node.max === MAXREPEAT) return 'anything';
        if (node.min === 1 && node.max === MAXREPEAT) return 'at least one character';
      }
      return `${describeSequence(node.body).join(' then ')} ${times(node.min, node.max)}`;
    case 'backref':
      return `the same text as group ${node.name ?? node.group}`;
    case 'lookaround':
      return (
        `${node.negate ? 'not ' : ''}${node.behind ? 'preceded' : 'followed'} by ` +
        `${describeSequence(node.body).join(' then ')}`
      );
    case 'alternation':
      return `either ${node.branches.map((b) => describeSequence(b).join(' then ') || 'nothing').join(' or ')}`;
    case 'conditional':
      return 'a conditional group';
    case 'namedChar':
      return `the character ${node.name}`;
  }
}

const isEndAnchor = (node: PyreNode | undefined) =>
  node?.type === 'anchor' && (node.kind === 'end' || node.kind === 'endString');

/** Plain-language explanation of what `re.match(pattern, vm_name)` selects. */
export function explainPattern(pattern: string): string {
  const parsed = parsePython(pattern);
  if (!parsed.ok && parsed.error.unsupported) {
    return `Cannot be previewed here: ${parsed.error.message.replace(/^unsupported: /, '')}.`;
  }
  if (!parsed.ok) {
    return `Invalid Python regex: ${parsed.error.message} at position ${parsed.error.pos}.`;
  }
  if (parsed.unsupported) {
    return (
      'Valid Python regex, but it cannot be previewed here: ' +
      `${parsed.unsupported.message.replace(/^unsupported: /, '')}.`
    );
  }
  let body = parsed.ast.body;
  if (pattern === '') return 'The empty regex: matches every VM name.';
  const groups = collectGroups(body);
  const isAnything = (node: PyreNode | undefined) => node?.type === 'repeat' && describeNode(node) === 'anything';
  if (
    unconstrained(body) &&
    body.every((n) => nodeCanBeEmpty(n, groups)) &&
    !(body.length === 1 && isAnything(body[0]))
  ) {
    return (
      `Every VM name: the regex (${describeSequence(body).join(' then ')}) can match zero characters, ` +
      'and re.match only needs a match at the start of the name.'
    );
  }
  const flags: string[] = [];
  if (parsed.ast.flags.ignoreCase) flags.push(' (ignoring ASCII letter case)');
  if (body[0]?.type === 'anchor' && (body[0].kind === 'beginning' || body[0].kind === 'beginningString')) {
    body = body.slice(1); // ^ is implied by re.match
  }
  const last = parsed.ast.body.at(-1);
  const anchoredEnd = isEndAnchor(body.at(-1));
  if (anchoredEnd) body = body.slice(0, -1);
  const trailingAnything = !anchoredEnd && isAnything(body.at(-1));
  if (trailingAnything) body = body.slice(0, -1);
  const leadingAnything = anchoredEnd && isAnything(body[0]);
  if (leadingAnything) body = body.slice(1);
  const text = describeSequence(body).join(' then ') || 'nothing';
  const caseNote = flags.join('');
  const dotNote = /(^|[^\\])\.(?![*+?{])/.test(pattern.replace(/\[[^\]]*\]/g, ''))
    ? ' Note: . matches any character; write \\. for a literal dot.'
    : '';
  if (anchoredEnd) {
    const newline = last?.type === 'anchor' && last.kind === 'end' ? ' ($ also accepts a trailing newline)' : '';
    if (leadingAnything) return `Names ending with ${text}${caseNote}${newline}.${dotNote}`;
    return `Names that are exactly ${text}${caseNote}${newline}.${dotNote}`;
  }
  if (trailingAnything) {
    if (body.length === 0) return 'Every VM name (.* matches anything).';
    return `Names starting with ${text}${caseNote} (then anything).${dotNote}`;
  }
  const tail = body.at(-1);
  if (tail?.type === 'repeat' && tail.min === 0 && unconstrained([tail]) && body.length > 1) {
    // The v3.0 "PRD-a*" wildcard habit: a trailing optional repeat is a no-op under re.match.
    const head = describeSequence(body.slice(0, -1)).join(' then ');
    return (
      `Names starting with ${head}${caseNote}: the trailing ${describeNode(tail)} can match nothing, ` +
      `and re.match is a prefix match, so it adds no condition (write .* for "anything", $ to end the name).${dotNote}`
    );
  }
  const literalOnly = body.length > 0 && body.every((n) => n.type === 'literal');
  const example = literalOnly
    ? ', e.g. ' +
      quoteChars([...body.map((n) => (n as { code: number }).code), ...Array.from('-old', (c) => c.codePointAt(0)!)]) +
      ' matches too'
    : '';
  return (
    `Names starting with ${text}${caseNote}: re.match is a prefix match, so anything may follow${example}. ` +
    `Add $ to match the whole name.${dotNote}`
  );
}
