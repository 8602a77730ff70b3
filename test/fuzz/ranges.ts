// Range checks shared by the fuzz parts: every diagnostic (and its fix and related ranges)
// must point inside the document, as an editor counts lines (\r\n, \r, \n) and characters.
export interface RangeLike {
  start: { line: number; character: number };
  end: { line: number; character: number };
}

/** The document's lines as LSP counts them (without the BOM, which editors hide). */
export function lspLines(text: string): string[] {
  return text.replace(/^\ufeff/, '').split(/\r\n|\r|\n/);
}

/** A problem with `range` in a document of `lines`, or undefined when it is valid. */
export function rangeProblem(range: RangeLike, lines: readonly string[]): string | undefined {
  const { start, end } = range;
  for (const p of [start, end]) {
    if (!Number.isInteger(p.line) || !Number.isInteger(p.character) || p.line < 0 || p.character < 0)
      return `bad position ${JSON.stringify(p)}`;
    // A position one line past the end is allowed at character 0 (an edit that deletes the last line break).
    if (p.line > lines.length || (p.line === lines.length && p.character > 0))
      return `line ${p.line} beyond ${lines.length} lines`;
    if (p.line < lines.length && p.character > lines[p.line]!.length)
      return `character ${p.character} beyond line ${p.line} (${lines[p.line]!.length})`;
  }
  if (start.line > end.line || (start.line === end.line && start.character > end.character))
    return `start after end ${JSON.stringify(range)}`;
  return undefined;
}
