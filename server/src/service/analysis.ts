// Everything the features derive from one document version: the parsed file, the runner's
// diagnostics, the effective settings. Pure; the server caches it per document version.
import { validateConfig } from 'vmbackup-runner/config';
import { resolveSettings } from 'vmbackup-runner/config';
import type { ConfigDiagnostic, ParsedConfig, Settings } from 'vmbackup-runner/config';
import type { ServerSettings } from './types';

export interface ConfigAnalysis {
  config: ParsedConfig;
  /** Diagnostics that need no pool (syntax, values, regex syntax). */
  configDiagnostics: ConfigDiagnostic[];
  effective: Settings;
}

/** `config` is the parsed text (see incrementalParse.ts). */
export function analyseConfig(config: ParsedConfig, settings: ServerSettings): ConfigAnalysis {
  const configDiagnostics = validateConfig(config, {
    ignoreExtraKeys: settings.validate.ignoreExtraKeys,
    compatibility: settings.compatibility,
  });
  return { config, configDiagnostics, effective: resolveSettings(config) };
}
