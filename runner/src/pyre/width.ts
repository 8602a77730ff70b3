// Minimum/maximum match width of a subpattern (CPython's `SubPattern.getwidth`), used for the
// look-behind rules. BigInt because CPython's arithmetic is unbounded up to MAXWIDTH (2**64).
import { MAXREPEAT, type PyreNode } from './ast';

export type Width = readonly [bigint, bigint];

export const MAXWIDTH = 1n << 64n;
const MAXREPEAT_BIG = BigInt(MAXREPEAT);

const min = (a: bigint, b: bigint) => (a < b ? a : b);
const max = (a: bigint, b: bigint) => (a > b ? a : b);

export function sequenceWidth(nodes: readonly PyreNode[], groupWidths: readonly (Width | null)[]): Width {
  let lo = 0n;
  let hi = 0n;
  for (const node of nodes) {
    const [i, j] = nodeWidth(node, groupWidths);
    lo += i;
    hi += j;
  }
  return [min(lo, MAXWIDTH), min(hi, MAXWIDTH)];
}

function nodeWidth(node: PyreNode, groupWidths: readonly (Width | null)[]): Width {
  switch (node.type) {
    case 'literal':
    case 'any':
    case 'set':
    case 'namedChar':
      return [1n, 1n];
    case 'anchor':
    case 'lookaround':
      return [0n, 0n];
    case 'group':
    case 'atomic':
      return sequenceWidth(node.body, groupWidths);
    case 'alternation': {
      let lo = MAXWIDTH;
      let hi = 0n;
      for (const branch of node.branches) {
        const [l, h] = sequenceWidth(branch, groupWidths);
        lo = min(lo, l);
        hi = max(hi, h);
      }
      return [lo, hi];
    }
    case 'repeat': {
      const [i, j] = sequenceWidth(node.body, groupWidths);
      const lo = i * BigInt(node.min);
      const hi = BigInt(node.max) === MAXREPEAT_BIG && j ? MAXWIDTH : j * BigInt(node.max);
      return [lo, hi];
    }
    case 'backref':
      return groupWidths[node.group] ?? [0n, 0n];
    case 'conditional': {
      let [i, j] = sequenceWidth(node.yes, groupWidths);
      if (node.no !== null) {
        const [l, h] = sequenceWidth(node.no, groupWidths);
        i = min(i, l);
        j = max(j, h);
      } else {
        i = 0n;
      }
      return [i, j];
    }
  }
}
