// CLI rendering of diagnostics: `file:line:col: severity CODE message` (1-based, like
// compilers), so editors and terminals can jump to the spot.

import type { ConfigDiagnostic } from './types';

export function formatDiagnostic(fileName: string, diag: ConfigDiagnostic): string {
  const { line, character } = diag.range.start;
  return `${fileName}:${line + 1}:${character + 1}: ${diag.severity} ${diag.code} ${diag.message}`;
}
