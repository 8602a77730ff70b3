// Enter must start a new line after a complete value. VS Code keeps a completion list open while
// the user types (it filters the list it already has), so after `vm-export=PROD-db0` + `1` the
// list still shows `PROD-db01` and Enter accepts it — a no-op that eats the new line. The
// language client therefore marks every list incomplete (VS Code asks again on each key) and
// drops a list the user did not ask for once what is typed is already one of its entries.
// Pure (no `vscode` import): unit-tested.

/** The text completion replaces: after the last `=` of the line (a value), else from its start (a key). */
export function typedToken(lineText: string, character: number): string {
  const before = lineText.slice(0, character);
  const equals = before.lastIndexOf('=');
  return (equals >= 0 ? before.slice(equals + 1) : before).trimStart();
}

/**
 * The entries to show: none when the list opened by itself (typing) and the typed token is
 * already complete; never an entry that would insert exactly what is typed.
 */
export function guardCompletions<T>(
  items: readonly T[],
  typed: string,
  textOf: (item: T) => string,
  invokedByUser: boolean,
): T[] {
  if (typed === '') return [...items];
  const complete = items.some((item) => textOf(item) === typed);
  if (complete && !invokedByUser) return [];
  return items.filter((item) => textOf(item) !== typed);
}
