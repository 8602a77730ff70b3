// Effective settings: the value each scalar key has for a run, with the original's defaults,
// and the line that set it (hover shows "effective value ... set on line N").

import type { CompressMode, ParsedConfig, SettingOrigin, Settings } from './types';
import { getKeySpec } from './schema';
import { isPyInt, pyIntValue } from './text';

export const DEFAULTS = {
  backupDir: '/snapshots/BACKUPS',
  statusLog: '/snapshots/NAUbackup/status.log',
  maxBackups: 4,
  poolDbBackup: 0 as const,
  vdiExportFormat: 'raw' as const,
  compress: 'none' as CompressMode,
  smtpHost: 'localhost',
  smtpPort: 25,
};

/** `compress` values as our runner understands them (extension key). */
export function parseCompress(value: string): CompressMode | undefined {
  switch (value.toLowerCase()) {
    case 'false':
    case 'none':
      return 'none';
    case 'true':
    case 'gzip':
      return 'gzip';
    case 'zstd':
      return 'zstd';
    default:
      return undefined;
  }
}

/** `host[:port]` with a port in 1..65535; undefined when malformed. */
export function parseSmtpServer(value: string): { host: string; port: number } | undefined {
  const m = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+)(?::([0-9]{1,5}))?$/.exec(value);
  if (!m) return undefined;
  const port = m[2] === undefined ? DEFAULTS.smtpPort : Number(m[2]);
  if (port < 1 || port > 65535) return undefined;
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port };
}

/** The original's `max_backups` rule: a Python int >= 1. */
export function parseMaxBackups(value: string): number | undefined {
  if (!isPyInt(value)) return undefined;
  const n = pyIntValue(value);
  return n >= 1 ? n : undefined;
}

/** The original's `pool_db_backup` rule: the integer 0 or 1 (`int()` accepts ` 1`, `+1`). */
export function parsePoolDbBackup(value: string): 0 | 1 | undefined {
  if (!isPyInt(value)) return undefined;
  const n = pyIntValue(value);
  return n === 0 || n === 1 ? n : undefined;
}

export function resolveSettings(parsed: ParsedConfig): Settings {
  const settings: Settings = {
    backupDir: DEFAULTS.backupDir,
    statusLog: DEFAULTS.statusLog,
    maxBackups: DEFAULTS.maxBackups,
    poolDbBackup: DEFAULTS.poolDbBackup,
    vdiExportFormat: DEFAULTS.vdiExportFormat,
    compress: DEFAULTS.compress,
    smtpHost: DEFAULTS.smtpHost,
    smtpPort: DEFAULTS.smtpPort,
    smtpStarttls: false,
    origins: {},
  };
  for (const entry of parsed.entries) {
    const spec = getKeySpec(entry.key);
    if (spec?.kind !== 'scalar') continue;
    const value = entry.value;
    let valid = true;
    switch (entry.key) {
      case 'backup_dir':
        valid = value !== '';
        if (valid) settings.backupDir = value;
        break;
      case 'status_log':
        valid = value !== '';
        if (valid) settings.statusLog = value;
        break;
      case 'max_backups': {
        const n = parseMaxBackups(value);
        valid = n !== undefined;
        if (n !== undefined) settings.maxBackups = n;
        break;
      }
      case 'pool_db_backup': {
        const n = parsePoolDbBackup(value);
        valid = n !== undefined;
        if (n !== undefined) settings.poolDbBackup = n;
        break;
      }
      case 'vdi_export_format':
        valid = value === 'raw' || value === 'vhd';
        if (value === 'raw' || value === 'vhd') settings.vdiExportFormat = value;
        break;
      case 'compress': {
        const mode = parseCompress(value);
        valid = mode !== undefined;
        if (mode) settings.compress = mode;
        break;
      }
      case 'mail_to':
        settings.mailTo = value;
        break;
      case 'mail_from':
        settings.mailFrom = value;
        break;
      case 'smtp_server': {
        const server = parseSmtpServer(value);
        valid = server !== undefined;
        if (server) {
          settings.smtpHost = server.host;
          settings.smtpPort = server.port;
        }
        break;
      }
      case 'smtp_starttls':
        valid = value === '0' || value === '1';
        if (valid) settings.smtpStarttls = value === '1';
        break;
      case 'smtp_user':
        settings.smtpUser = value;
        break;
      case 'smtp_password_file':
        settings.smtpPasswordFile = value;
        break;
      case 'report_file':
        settings.reportFile = value;
        break;
    }
    const origin: SettingOrigin = { line: entry.line, raw: value, valueRange: entry.valueRange, valid };
    settings.origins[entry.key] = origin;
  }
  return settings;
}
