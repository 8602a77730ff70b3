// Runner diagnostics -> LSP diagnostics: suppression comments, severity overrides from the
// settings, and a link to each code's documentation.
import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver';
import type { ConfigDiagnostic, ParsedConfig, Severity } from '../../../runner/src/config/types';
import { diagnosticDocPath } from '../../../runner/src/config/codes';
import type { ServerSettings } from '../settings';
import { isSuppressed } from './suppression';

/** Where docs/diagnostics.md is published (the repository of package.json). */
export const REPOSITORY_BLOB_URL = 'https://github.com/vmbackup/vmbackup/blob/main/';

const LSP_SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

export function documentationUrl(code: string): string {
  return REPOSITORY_BLOB_URL + diagnosticDocPath(code);
}

/** Drops suppressed and `off` diagnostics and applies severity overrides. */
export function effectiveDiagnostics(config: ParsedConfig, raw: readonly ConfigDiagnostic[], settings: ServerSettings): ConfigDiagnostic[] {
  const overrides = settings.validate.severityOverrides;
  const out: ConfigDiagnostic[] = [];
  for (const d of raw) {
    const override = overrides[d.code];
    if (override === 'off' || isSuppressed(config, d)) continue;
    out.push(override ? { ...d, severity: override } : d);
  }
  return out;
}

export function toLspDiagnostic(d: ConfigDiagnostic, uri: string): Diagnostic {
  const diagnostic: Diagnostic = {
    range: d.range,
    severity: LSP_SEVERITY[d.severity],
    code: d.code,
    codeDescription: { href: documentationUrl(d.code) },
    source: 'vmbackup',
    message: d.message,
  };
  if (d.related?.length) {
    diagnostic.relatedInformation = d.related.map((r) => ({ location: { uri, range: r.range }, message: r.message }));
  }
  return diagnostic;
}
