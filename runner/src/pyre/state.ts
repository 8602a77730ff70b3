// Parser state shared by the parser and the escape handlers (CPython's `re._parser.State`).
import type { FlagSet, PyreNode } from './ast';
import { type Tokenizer, PyreSyntaxError, pyRepr } from './tokenizer';
import { sequenceWidth, type Width } from './width';

/** Python's MAXGROUPS on 64-bit builds. */
export const MAXGROUPS = 1073741823;

export function emptyFlags(): FlagSet {
  return {
    ignoreCase: false,
    multiline: false,
    dotAll: false,
    verbose: false,
    ascii: false,
    unicode: false,
    locale: false,
    template: false,
  };
}

export class ParserState {
  flags: FlagSet = emptyFlags();
  /** Flags written in a global `(?...)` group (re.ASCII itself is implied, not written). */
  readonly writtenGlobalFlags = new Set<keyof FlagSet>();
  readonly groupNames = new Map<string, number>();
  /** Width of each closed group; null while the group is open (index 0 = whole match). */
  readonly groupWidths: (Width | null)[] = [null];
  /** Group count when the outermost enclosing look-behind started, or null outside one. */
  lookbehindGroups: number | null = null;
  /** First position of each numeric group reference in a conditional, checked at the end. */
  readonly groupRefPos = new Map<bigint, number>();
  /** Constructs that are valid Python but that we cannot translate (first one wins). */
  unsupported: PyreSyntaxError | null = null;

  get groups(): number {
    return this.groupWidths.length;
  }

  openGroup(name: string | null): number {
    const gid = this.groups;
    this.groupWidths.push(null);
    if (this.groups > MAXGROUPS) throw new PyreSyntaxError('too many groups', null);
    if (name !== null) {
      const previous = this.groupNames.get(name);
      if (previous !== undefined) {
        throw new PyreSyntaxError(
          `redefinition of group name ${pyRepr(name)} as group ${gid}; was group ${previous}`,
          null,
        );
      }
      this.groupNames.set(name, gid);
    }
    return gid;
  }

  closeGroup(gid: number, body: PyreNode[]): void {
    this.groupWidths[gid] = sequenceWidth(body, this.groupWidths);
  }

  checkGroup(gid: number): boolean {
    return gid < this.groups && this.groupWidths[gid] !== null;
  }

  checkLookbehindGroup(gid: number, source: Tokenizer): void {
    if (this.lookbehindGroups !== null) {
      if (!this.checkGroup(gid)) throw source.error('cannot refer to an open group');
      if (gid >= this.lookbehindGroups) {
        throw source.error('cannot refer to group defined in the same lookbehind subpattern');
      }
    }
  }

  markUnsupported(error: PyreSyntaxError): void {
    if (this.unsupported === null) this.unsupported = error;
  }
}
