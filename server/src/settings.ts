// The `vmbackup.*` settings the server reads through workspace/configuration, normalised so
// that a hand-edited settings.json with wrong types never breaks validation.
import type { ServerSettings, SeverityOverride } from './service/types';

export type { Compatibility, ServerSettings, SeverityOverride } from './service/types';

export const DEFAULT_SETTINGS: ServerSettings = {
  validate: { enable: true, severityOverrides: {}, ignoreExtraKeys: false },
  compatibility: 'extended',
  runnerTransport: 'local',
  runnerSshTarget: '',
  pool: { url: '', user: 'root', certificateFingerprint: '' },
};

const SEVERITIES: readonly string[] = ['error', 'warning', 'information', 'hint', 'off'];

function record(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function str(value: unknown, fallback: string): string {
  return typeof value === 'string' ? value.trim() : fallback;
}

/** Accepts the `vmbackup` section as VS Code returns it (nested objects). */
export function normaliseSettings(raw: unknown): ServerSettings {
  const section = record(raw);
  const validate = record(section.validate);
  const pool = record(section.pool);
  const overrides: Record<string, SeverityOverride> = {};
  for (const [code, level] of Object.entries(record(validate.severityOverrides))) {
    const normalised = typeof level === 'string' ? level.toLowerCase() : '';
    if (SEVERITIES.includes(normalised)) overrides[code.toUpperCase()] = normalised as SeverityOverride;
  }
  return {
    validate: {
      enable: typeof validate.enable === 'boolean' ? validate.enable : DEFAULT_SETTINGS.validate.enable,
      severityOverrides: overrides,
      ignoreExtraKeys: validate.ignoreExtraKeys === true,
    },
    compatibility: section.compatibility === 'original' ? 'original' : 'extended',
    runnerTransport: record(section.runner).transport === 'ssh' ? 'ssh' : 'local',
    runnerSshTarget: str(record(section.runner).sshTarget, ''),
    pool: {
      url: str(pool.url, DEFAULT_SETTINGS.pool.url),
      user: str(pool.user, DEFAULT_SETTINGS.pool.user) || DEFAULT_SETTINGS.pool.user,
      certificateFingerprint: str(pool.certificateFingerprint, ''),
    },
  };
}
