// Runner diagnostics -> LSP diagnostics: suppression comments, severity overrides from the
// settings, and a link to each code's documentation.
import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver';
import type { ConfigDiagnostic, ParsedConfig, Severity } from 'vmbackup-runner/config';
import { diagnosticDocAnchor } from 'vmbackup-runner/config';
import type { ServerSettings } from './types';
import { isSuppressed } from './suppression';

const LSP_SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

/**
 * The link of a code's section: `<docsUri>#vmb016`, where docsUri is the bundled
 * docs/diagnostics.md the client names in `initializationOptions.docsUri` (opens inside the
 * editor, works offline). Without it there is no link: we never point at an address nobody
 * published.
 */
export function documentationUrl(code: string, docsUri: string | undefined): string | undefined {
  if (!docsUri) return undefined;
  const base = docsUri.includes('#') ? docsUri.slice(0, docsUri.indexOf('#')) : docsUri;
  return `${base}#${diagnosticDocAnchor(code)}`;
}

/** Drops suppressed and `off` diagnostics and applies severity overrides. */
export function effectiveDiagnostics(
  config: ParsedConfig,
  raw: readonly ConfigDiagnostic[],
  settings: ServerSettings,
): ConfigDiagnostic[] {
  const overrides = settings.validate.severityOverrides;
  const out: ConfigDiagnostic[] = [];
  for (const d of raw) {
    // An error is what the runner refuses: neither a comment nor a setting hides or lowers it
    // (the editor would be clean while the run fails). Raising a severity is fine.
    const override = d.severity === 'error' ? undefined : overrides[d.code];
    if (override === 'off' || isSuppressed(config, d)) continue;
    out.push(override ? { ...d, severity: override } : d);
  }
  return out;
}

export function toLspDiagnostic(d: ConfigDiagnostic, uri: string, docsUri?: string): Diagnostic {
  const diagnostic: Diagnostic = {
    range: d.range,
    severity: LSP_SEVERITY[d.severity],
    code: d.code,
    source: 'vmbackup',
    message: d.message,
  };
  const href = documentationUrl(d.code, docsUri);
  if (href) diagnostic.codeDescription = { href };
  if (d.related?.length) {
    diagnostic.relatedInformation = d.related.map((r) => ({ location: { uri, range: r.range }, message: r.message }));
  }
  return diagnostic;
}
