// Errors CPython raises after parsing, while compiling (`re/_compiler.py`): look-behind width
// rules and the deprecated TEMPLATE flag. They carry no position in CPython; we point the
// editor at the offending construct. The first error in compile (= pattern) order wins.
import type { PyreAst, PyreNode } from './ast';
import { PyreSyntaxError } from './tokenizer';
import { sequenceWidth, type Width } from './width';

/** sre's MAXCODE for 4-byte code words. */
const MAXCODE = (1n << 32n) - 1n;

const REPEAT_OPCODE = { greedy: 'MAX_REPEAT', lazy: 'MIN_REPEAT', possessive: 'POSSESSIVE_REPEAT' } as const;

export function checkCompile(ast: PyreAst, groupWidths: readonly (Width | null)[]): void {
  const visit = (nodes: readonly PyreNode[]): void => {
    for (const node of nodes) {
      switch (node.type) {
        case 'repeat':
          if (ast.flags.template) {
            throw new PyreSyntaxError(`internal: unsupported template operator ${REPEAT_OPCODE[node.mode]}`, null);
          }
          visit(node.body);
          break;
        case 'lookaround':
          if (node.behind) {
            const [lo, hi] = sequenceWidth(node.body, groupWidths);
            if (lo > MAXCODE) throw new PyreSyntaxError('looks too much behind', null, false, node.start);
            if (lo !== hi)
              throw new PyreSyntaxError('look-behind requires fixed-width pattern', null, false, node.start);
          }
          visit(node.body);
          break;
        case 'group':
        case 'atomic':
          visit(node.body);
          break;
        case 'alternation':
          node.branches.forEach(visit);
          break;
        case 'conditional':
          visit(node.yes);
          if (node.no) visit(node.no);
          break;
        default:
          break;
      }
    }
  };
  visit(ast.body);
}
