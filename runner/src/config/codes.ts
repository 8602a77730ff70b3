// Stable diagnostic codes. Each one has a section in docs/diagnostics.md (anchor = lower-case
// code); never renumber, only append.

export const CODES = {
  missingEquals: 'VMB001',
  multipleEquals: 'VMB002',
  indentedComment: 'VMB003',
  duplicateScalar: 'VMB004',
  unknownKey: 'VMB005',
  poolDbBackupValue: 'VMB006',
  maxBackupsValue: 'VMB007',
  vdiExportFormatValue: 'VMB008',
  inlineComment: 'VMB009',
  suffixNotInteger: 'VMB010',
  suffixNotPositive: 'VMB011',
  multipleColons: 'VMB012',
  excludeAfterSelection: 'VMB013',
  selectsEverything: 'VMB014',
  emptyIgnored: 'VMB015',
  prefixWildcard: 'VMB016',
  literalLooksRegex: 'VMB017',
  relativePath: 'VMB018',
  byteOrderMark: 'VMB019',
  extensionKeyInOriginal: 'VMB020',
  extensionValue: 'VMB021',
  emptyScalar: 'VMB022',
  blankBeforeColon: 'VMB023',
  // Regex syntax (needs the Python-re engine, no inventory).
  regexSyntax: 'VMB030',
  colonCutsRegex: 'VMB031',
  regexUnsupported: 'VMB032',
  python2Regex: 'VMB033',
  // Needs the pool's VM names: matching did not finish within its time budget.
  regexTooExpensive: 'VMB034',
  // Inventory-aware (needs a pool snapshot).
  matchesNoVm: 'VMB040',
  suffixLost: 'VMB041',
  inBothLists: 'VMB042',
  duplicateVmName: 'VMB043',
  noVmsLoaded: 'VMB044',
  forcedExclude: 'VMB045',
  duplicateVmNameNotSelected: 'VMB046',
  // Across the workspace's configs (language server only).
  backedUpByAnotherConfig: 'VMB047',
} as const;

export type DiagnosticCode = (typeof CODES)[keyof typeof CODES];

/** The section anchor of a code in docs/diagnostics.md (`vmb016`). */
export function diagnosticDocAnchor(code: string): string {
  return code.toLowerCase();
}

/** Link target for a code, relative to the repository root. */
export function diagnosticDocPath(code: string): string {
  return `docs/diagnostics.md#${diagnosticDocAnchor(code)}`;
}
