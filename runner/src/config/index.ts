// Public API of the config core. The language server, the CLI and the runner import from here.

export * from './types';
export { parseConfig, SPLIT_SUFFIX_KEYS } from './parse';
export { KEY_SCHEMA, getKeySpec, ORIGINAL_KEYS, CLI_OPTIONS } from './schema';
export type { KeySpec, KeyKind, ValueType, CliOptionSpec } from './schema';
export { validateConfig } from './validate';
export { regexDiagnostics } from './regex';
export type { ValidateOptions, ConfigRule, RuleContext } from './validate';
export { resolveSettings, DEFAULTS, parseCompress, parseSmtpServer, parseMaxBackups, parsePoolDbBackup } from './settings';
export { formatDiagnostic } from './format';
export { CODES, diagnosticDocPath } from './codes';
export type { DiagnosticCode } from './codes';
export { applyEdits, escapeLiteral } from './fixes';
export { suggestKey } from './suggest';
export { isPlainName, pyStrip, isPyInt, pyIntValue } from './text';
export {
  isSuppressed,
  isSuppressedAt,
  isSuppressible,
  partitionSuppressed,
  suppressionEdit,
  SUPPRESS_DIRECTIVE,
} from './suppression';
