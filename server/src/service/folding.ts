// Folding: runs of two or more comment lines (VmBackup configs carry long commented-out
// examples) fold into one.
import { type FoldingRange, FoldingRangeKind } from 'vscode-languageserver';
import type { ParsedConfig } from 'vmbackup-runner/config';

export function foldingRanges(config: ParsedConfig): FoldingRange[] {
  const ranges: FoldingRange[] = [];
  let start = -1;
  const close = (end: number) => {
    if (start >= 0 && end > start) ranges.push({ startLine: start, endLine: end, kind: FoldingRangeKind.Comment });
    start = -1;
  };
  for (const node of config.lines) {
    if (node.kind === 'comment') {
      if (start < 0) start = node.line;
    } else {
      close(node.line - 1);
    }
  }
  close(config.lines.length - 1);
  return ranges;
}
