// The keys a VmBackup config may contain: the original's v3.25 keys, v3.2's metadata-export,
// and our own extension keys (which the original rejects as "unexpected config key").
// The `doc` texts are markdown written for hover and completion.

export type KeyKind = 'scalar' | 'selection' | 'exclude';
export type ValueType = 'integer' | 'enum' | 'path' | 'string' | 'selector' | 'host' | 'email';

export interface KeySpec {
  key: string;
  kind: KeyKind;
  valueType: ValueType;
  /** The value the original (or our runner, for extensions) uses when the key is absent. */
  default?: string;
  /** The only values accepted, for enum-like keys. */
  allowed?: readonly string[];
  /** Short markdown documentation for hover and completion. */
  doc: string;
  /** First VmBackup release with this key (`vmbackup` for our extensions). */
  since: 'v3.0' | 'v3.1' | 'v3.2' | 'v3.25' | 'vmbackup';
  /** True for our keys: the original fails with `unexpected config key` on them. */
  extension: boolean;
  /** A complete example line. */
  example: string;
}

const SELECTOR_DOC =
  'A **plain name** (only letters, digits, blanks, `-`, `_`) must equal the VM name-label ' +
  'exactly. Anything else is a **Python regular expression** matched with `re.match`: ' +
  'anchored at the start only, so `PROD` as a regex also selects `PRODUCTION`. ' +
  'Names are case-sensitive.';

export const KEY_SCHEMA: readonly KeySpec[] = [
  {
    key: 'pool_db_backup',
    kind: 'scalar',
    valueType: 'enum',
    default: '0',
    allowed: ['0', '1'],
    doc:
      'Back up the pool database (`xe pool-dump-database`) when run on the pool master: `0` = no, `1` = yes. ' +
      'Written to `<backup_dir>/METADATA_<host>/pool_db_<date>.dump`.',
    since: 'v3.0',
    extension: false,
    example: 'pool_db_backup=0',
  },
  {
    key: 'max_backups',
    kind: 'scalar',
    valueType: 'integer',
    default: '4',
    doc:
      'How many backups to keep per VM (an integer >= 1). After a successful backup the oldest backups beyond ' +
      'this count are deleted. A selection can override it with `:N` (`vm-export=DEV.*:2`).',
    since: 'v3.0',
    extension: false,
    example: 'max_backups=4',
  },
  {
    key: 'backup_dir',
    kind: 'scalar',
    valueType: 'path',
    default: '/snapshots/BACKUPS',
    doc:
      'Directory that receives `<vm-name>/backup-<date>/` folders. It must already exist and be writable (the run ' +
      'checks it first).',
    since: 'v3.0',
    extension: false,
    example: 'backup_dir=/snapshots/BACKUPS',
  },
  {
    key: 'status_log',
    kind: 'scalar',
    valueType: 'path',
    default: '/snapshots/NAUbackup/status.log',
    doc:
      'Status log file: one CSV-like record per run and per VM (`begin`/`end`, elapsed minutes, size) is appended ' +
      'here. Only written when a config file is used.',
    since: 'v3.1',
    extension: false,
    example: 'status_log=/snapshots/NAUbackup/status.log',
  },
  {
    key: 'vdi_export_format',
    kind: 'scalar',
    valueType: 'enum',
    default: 'raw',
    allowed: ['raw', 'vhd'],
    doc: 'Disk image format of `vdi-export` backups: `raw` or `vhd`. The file is `<vm-name>.raw` or `<vm-name>.vhd`.',
    since: 'v3.0',
    extension: false,
    example: 'vdi_export_format=raw',
  },
  {
    key: 'vm-export',
    kind: 'selection',
    valueType: 'selector',
    doc:
      `Full VM backup (\`xe vm-export\` of a snapshot, an \`.xva\` file). \`NAME[:N]\`: optional \`:N\` keeps N ` +
      `backups of these VMs instead of \`max_backups\`.\n\n${SELECTOR_DOC}\n\nAn **empty** value selects every VM in ` +
      'the pool.',
    since: 'v3.0',
    extension: false,
    example: 'vm-export=PROD.*:3',
  },
  {
    key: 'vdi-export',
    kind: 'selection',
    valueType: 'selector',
    doc:
      `Backs up only the boot disk (\`xvda\`) with \`xe vdi-export\` (for VMs whose data disks are too ` +
      `large). \`NAME[:N]\` as for \`vm-export\`. A VM in both lists is backed up by vdi-export only.\n\n` +
      `${SELECTOR_DOC}\n\nAn empty value is ignored.`,
    since: 'v3.0',
    extension: false,
    example: 'vdi-export=PROD-CentOS7-large-user-disks',
  },
  {
    key: 'exclude',
    kind: 'exclude',
    valueType: 'selector',
    doc:
      'Removes matching VMs from the selections. **All excludes must come before the first selection line**: an ' +
      `exclude only affects the lines after it. The value is not split on \`:\`.\n\n${SELECTOR_DOC}\n\nAn empty ` +
      'value is ignored.',
    since: 'v3.0',
    extension: false,
    example: 'exclude=PROD-ubuntu12-benchmark',
  },
  {
    key: 'metadata-export',
    kind: 'selection',
    valueType: 'selector',
    doc:
      `Backs up only the VM metadata (\`xe vm-export metadata=true\`, a small \`.xva\`). \`NAME[:N]\` as ` +
      `for \`vm-export\`.\n\n${SELECTOR_DOC}`,
    since: 'v3.2',
    extension: false,
    example: 'metadata-export=WEB.*',
  },
  {
    key: 'compress',
    kind: 'scalar',
    valueType: 'enum',
    default: 'false',
    allowed: ['false', 'true', 'gzip', 'zstd'],
    doc:
      '*vmbackup extension.* Compression of `vm-export` files: `false` (plain `.xva`), `true` or `gzip` ' +
      '(`.xva.gz`), `zstd` (zstd-compressed export, XCP-ng 8.1+). The command-line word `compress=True` overrides it.',
    since: 'vmbackup',
    extension: true,
    example: 'compress=gzip',
  },
  {
    key: 'mail_to',
    kind: 'scalar',
    valueType: 'email',
    doc:
      '*vmbackup extension.* Recipient(s) of the end-of-run report mail (comma-separated). No mail is sent when ' +
      'absent.',
    since: 'vmbackup',
    extension: true,
    example: 'mail_to=backup-admins@example.com',
  },
  {
    key: 'mail_from',
    kind: 'scalar',
    valueType: 'email',
    doc: '*vmbackup extension.* Sender address of the report mail (default: `vmbackup@<hostname>`).',
    since: 'vmbackup',
    extension: true,
    example: 'mail_from=vmbackup@xen01.example.com',
  },
  {
    key: 'smtp_server',
    kind: 'scalar',
    valueType: 'host',
    default: 'localhost:25',
    doc: '*vmbackup extension.* SMTP server for the report mail as `host[:port]` (port 25 when omitted).',
    since: 'vmbackup',
    extension: true,
    example: 'smtp_server=mail.example.com:587',
  },
  {
    key: 'smtp_starttls',
    kind: 'scalar',
    valueType: 'enum',
    default: '0',
    allowed: ['0', '1'],
    doc: '*vmbackup extension.* `1` upgrades the SMTP connection with STARTTLS before logging in.',
    since: 'vmbackup',
    extension: true,
    example: 'smtp_starttls=1',
  },
  {
    key: 'smtp_user',
    kind: 'scalar',
    valueType: 'string',
    doc: '*vmbackup extension.* SMTP login name (needs `smtp_password_file`).',
    since: 'vmbackup',
    extension: true,
    example: 'smtp_user=vmbackup',
  },
  {
    key: 'smtp_password_file',
    kind: 'scalar',
    valueType: 'path',
    doc:
      '*vmbackup extension.* File holding the SMTP password (the password itself never goes into the config, a ' +
      'command line or a log).',
    since: 'vmbackup',
    extension: true,
    example: 'smtp_password_file=/root/.vmbackup-smtp',
  },
  {
    key: 'report_file',
    kind: 'scalar',
    valueType: 'path',
    doc: '*vmbackup extension.* Writes a JSON report of the run (every VM, its result, sizes, durations) to this path.',
    since: 'vmbackup',
    extension: true,
    example: 'report_file=/snapshots/NAUbackup/last-run.json',
  },
];

const BY_KEY = new Map(KEY_SCHEMA.map((spec) => [spec.key, spec]));

/** The spec of a key (case-sensitive, as in the original), or undefined for unknown keys. */
export function getKeySpec(key: string): KeySpec | undefined {
  return BY_KEY.get(key);
}

/** The keys the original VmBackup accepts. */
export const ORIGINAL_KEYS: readonly string[] = KEY_SCHEMA.filter((s) => !s.extension).map((s) => s.key);

export interface CliOptionSpec {
  /** The word as typed (compared case-insensitively before any `=`). */
  name: string;
  /** `flag` is a bare word (`preview`); `boolean` takes `=True|False`. */
  form: 'flag' | 'boolean';
  default: string;
  doc: string;
}

/** Command-line-only words of the original (`VmBackup.py <pw> <cfg> [preview] [x=True] ...`). */
export const CLI_OPTIONS: readonly CliOptionSpec[] = [
  {
    name: 'preview',
    form: 'flag',
    default: 'off',
    doc: 'Validate the config and password, print the settings and the selected VMs, and stop before any backup.',
  },
  {
    name: 'compress',
    form: 'boolean',
    default: 'False',
    doc:
      '`compress=True` writes `vm-export` files compressed (`.xva.gz`). True only when the value is `true` in any ' +
      'case.',
  },
  {
    name: 'ignore_extra_keys',
    form: 'boolean',
    default: 'False',
    doc: '`ignore_extra_keys=True` logs and skips unknown config keys instead of failing.',
  },
  {
    name: 'pre_clean',
    form: 'boolean',
    default: 'False',
    doc:
      '`pre_clean=True` applies retention with one slot fewer *before* each export, to make room on the backup ' +
      'target.',
  },
];
