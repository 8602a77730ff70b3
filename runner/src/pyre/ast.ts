// The syntax tree of a Python 3 `re` pattern, close to CPython's `re._parser` intermediate
// form (LITERAL, IN, AT, SUBPATTERN, ...), but as plain typed objects. Character values are
// Unicode code points, as in a Python `str`.

export type Category = 'd' | 'D' | 's' | 'S' | 'w' | 'W';

/** A member of a character set `[...]`. */
export type SetItem =
  | { kind: 'char'; code: number }
  | { kind: 'range'; lo: number; hi: number }
  | { kind: 'category'; category: Category }
  /** `\N{NAME}` (unresolved: see namedChar). */
  | { kind: 'named'; name: string };

export type AnchorKind =
  | 'beginning' // ^
  | 'end' // $
  | 'beginningString' // \A
  | 'endString' // \Z
  | 'boundary' // \b
  | 'nonBoundary'; // \B

export type RepeatMode = 'greedy' | 'lazy' | 'possessive';

/** Python inline flag letters that change matching (not `x`, which only affects parsing). */
export interface FlagSet {
  ignoreCase: boolean;
  multiline: boolean;
  dotAll: boolean;
  verbose: boolean;
  ascii: boolean;
  unicode: boolean;
  locale: boolean;
  template: boolean;
}

export type PyreNode =
  | { type: 'literal'; code: number }
  | { type: 'any' }
  | { type: 'set'; negate: boolean; items: SetItem[] }
  | { type: 'anchor'; kind: AnchorKind }
  | {
      type: 'group';
      /** Python group number, or null for a non-capturing / flag-scoped group. */
      index: number | null;
      name: string | null;
      addFlags: Partial<FlagSet>;
      delFlags: Partial<FlagSet>;
      body: PyreNode[];
    }
  | { type: 'atomic'; body: PyreNode[] }
  /** `start` = code-point index of the quantifier. */
  | { type: 'repeat'; min: number; max: number; mode: RepeatMode; body: PyreNode[]; start: number }
  /** `start` = code-point index of the `\\` or `(?P=` (for unsupported-construct errors). */
  | { type: 'backref'; group: number; name: string | null; start: number }
  /** `start` = code-point index of the `(` (compile-stage errors point there). */
  | { type: 'lookaround'; behind: boolean; negate: boolean; body: PyreNode[]; start: number }
  | { type: 'conditional'; group: number; yes: PyreNode[]; no: PyreNode[] | null }
  | { type: 'alternation'; branches: PyreNode[][] }
  /** `\N{NAME}`: kept so the tree is complete; the translator cannot resolve names. */
  | { type: 'namedChar'; name: string };

/** Python's MAXREPEAT: an unbounded repeat (`*`, `+`, `{m,}`). */
export const MAXREPEAT = 4294967295;

export interface PyreAst {
  /** The top-level sequence (an `alternation` node when the pattern has a top-level `|`). */
  body: PyreNode[];
  /** Global flags set with `(?aiLmsux)` at the start of the pattern (plus re.ASCII). */
  flags: FlagSet;
  /** The flags actually written in global flag groups. */
  writtenFlags: ReadonlySet<keyof FlagSet>;
  /** Number of capturing groups (Python's `groups`). */
  groupCount: number;
  /** Group name -> group number. */
  groupNames: Map<string, number>;
}
