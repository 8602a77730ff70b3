// The shared, lossless model of a VmBackup .cfg file. Positions are 0-based line/character
// (UTF-16 code units, as LSP uses); the CLI prints them 1-based as file:line:col.

export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

export interface TextEdit {
  range: Range;
  newText: string;
}

interface LineBase {
  /** 0-based line index in the document. */
  line: number;
  /** The line's text without its line terminator (and without a BOM on line 0). */
  text: string;
  /** The whole line, excluding the terminator. */
  range: Range;
}

export interface BlankLine extends LineBase {
  kind: 'blank';
}

export interface CommentLine extends LineBase {
  kind: 'comment';
  /** True when the `#` is preceded by blanks: the original crashes on such a line. */
  indented: boolean;
}

/** The `:N` part of a selection value (`vm-export=web.*:3`). */
export interface SuffixPart {
  /** Text after the first `:` (may be empty, may contain more `:`). */
  text: string;
  range: Range;
  colonRange: Range;
}

export interface EntryLine extends LineBase {
  kind: 'entry';
  /** Key as written, stripped (case preserved: keys are case-sensitive). */
  key: string;
  keyRange: Range;
  equalsRange: Range;
  /** Value stripped of surrounding whitespace, as the original sees it. */
  value: string;
  /** Range of the stripped value (empty range right after `=` when the value is empty). */
  valueRange: Range;
  /** Value part before the first `:` (the VM name or regex), stripped like the original. */
  name: string;
  nameRange: Range;
  /** The `:N` part, when the value contains a `:`. */
  suffix?: SuffixPart;
}

export type MalformedReason = 'missing-equals' | 'multiple-equals';

export interface MalformedLine extends LineBase {
  kind: 'malformed';
  reason: MalformedReason;
  /** Ranges of every `=` on the line (empty for missing-equals). */
  equalsRanges: Range[];
}

export type LineNode = BlankLine | CommentLine | EntryLine | MalformedLine;

export interface ParsedConfig {
  /** One node per line of the document, in order. */
  lines: LineNode[];
  /** The entry lines only, in file order (a convenience view of `lines`). */
  entries: EntryLine[];
  hasBom: boolean;
  /** The document's dominant line terminator. */
  eol: '\n' | '\r\n';
}

export type Severity = 'error' | 'warning' | 'information' | 'hint';

/** A machine-applicable correction: applying every edit yields the fixed document. */
export interface Fix {
  title: string;
  edits: TextEdit[];
  /**
   * The runner backs up exactly the same VMs with the same settings after the fix (it only
   * makes the file say what it already does): applied by "Fix all" / fix-on-save.
   */
  safe?: boolean;
}

export interface RelatedLocation {
  range: Range;
  message: string;
}

/** A diagnostic as data: the language server and the CLI both render these. */
export interface ConfigDiagnostic {
  /** Stable code, e.g. `VMB001`; documented in docs/diagnostics.md. */
  code: string;
  severity: Severity;
  range: Range;
  message: string;
  fix?: Fix;
  /** Further ways to fix it when there is more than one reasonable choice (`fix` is preferred). */
  otherFixes?: Fix[];
  related?: RelatedLocation[];
}

// ---- Added by the config core (additions only; the shapes above are pinned) ----

/** Where an effective setting came from: the entry line that set it, or the default. */
export interface SettingOrigin {
  /** 0-based line of the entry that set it (the last one when a key is repeated). */
  line: number;
  /** The value as written (stripped). */
  raw: string;
  valueRange: Range;
  /** False when the written value is invalid and the default was used instead. */
  valid: boolean;
}

export type CompressMode = 'none' | 'gzip' | 'zstd';

/** Effective settings of a config file: defaults filled in, as the runner uses them. */
export interface Settings {
  backupDir: string;
  statusLog: string;
  maxBackups: number;
  poolDbBackup: 0 | 1;
  vdiExportFormat: 'raw' | 'vhd';
  /** Extension key `compress` (the CLI word `compress=True` may override it). */
  compress: CompressMode;
  mailTo?: string;
  mailFrom?: string;
  /** `smtp_server` split into host and port (default localhost, port 25 when omitted). */
  smtpHost?: string;
  smtpPort?: number;
  smtpStarttls: boolean;
  smtpUser?: string;
  smtpPasswordFile?: string;
  reportFile?: string;
  /** Which line set each config key (keyed by the config key, e.g. `max_backups`). */
  origins: Record<string, SettingOrigin>;
}
