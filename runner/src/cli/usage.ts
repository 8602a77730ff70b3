// Usage texts. `help`, `config` and `example` print the original's texts (with the program
// name `vmbackup`) so admins find what they know; `--help` documents the modern flags.
import type { UsageTopic } from './args';

const BASIC = `Usage:
vmbackup  <password|password-file> <config-file|vm-selector> [preview] [other optional params]

Also: vmbackup help    - for additional parameter usage
  or: vmbackup config  - for config-file parameter usage
  or: vmbackup example - for some simple example usage
  or: vmbackup --help  - for the modern options (ssh, JSON events, concurrency, password sources)
`;

const HELP = `Usage-help:
vmbackup  <password|password-file> <config-file|vm-selector> [preview] [other optional params]

required params:
  <password|password-file> - xenserver password or obscured password stored in password-file
      (safer: leave it out and set VMBACKUP_PASSWORD, or use --password-stdin; see --help)
  <config-file|vm-selector> - several options:
    config-file - a common choice for production crontab execution
    vm-selector - a single vm name or vm prefix wildcard that defaults to vm-export
      note with vm-selector then config defaults are set from VmBackup default constants
    vm-export=vm-selector  - explicit vm-export
    vdi-export=vm-selector - explicit vdi-export

optional params:
  [preview] - preview/validate VmBackup config parameters and xenserver password
  [compress=True|False|gzip|zstd] - only for vm-export functions automatic compression (default: False)
  [ignore_extra_keys=True|False] - some config files may have extra params (default: False)
  [pre_clean=True|False] - delete the oldest backup(s) before the export instead of after (default: False)

alternate form - create-password-file:
vmbackup  <password> create-password-file=filename

  create-password-file=filename - create an obscured password file with the specified password
  note - password filename is relative to current path or absolute path.
`;

const CONFIG = `Usage-config-file:

# Example config file for VmBackup

#### high level VmBackup settings ################
#### note - if any of these are not specified ####
####   then VmBackup uses default constants   ####

# Take Xen Pool DB backup: 0=No, 1=Yes (script default to 0=No)
pool_db_backup=0

# How many backups to keep for each vm (script default to 4)
max_backups=3

# Note: All directories must already exist and have the correct
# ownership and access protections set

#Backup Directory path (script default /snapshots/BACKUPS)
backup_dir=/path/to/backupspace

#Log file Directory path
# (script default /snapshots/NAUbackup/status.log)
status_log=/path/to/backupspace/logs/status.log

# applicable if vdi-export is used
# vdi_export_format either raw or vhd (script default to raw)
vdi_export_format=raw

# vmbackup only: compress vm-export files: false, true (=gzip) or zstd (default false)
#compress=zstd

#### specific VMs backup settings ####

#### ALL excludes must currently be defined BEFORE any VM selections ####
# exclude selected VMs from VM wildcards
exclude=PROD-WinDomainController
exclude=DEV-DestructiveTest
exclude=TEMP-.*

# vm-export VM name-label of vm to backup. One per line - notice :max_backups override.
vm-export=my-vm-name
vm-export=my-second-vm
vm-export=my-third-vm:3

# special vdi-export - only backs up first disk. See README Documenation!
vdi-export=my-vm-name

# vm-export using VM prefix wildcard - notice DEV.* has :max_backups overide
# and note the necessary ".*" syntax needed to replicaite the "*" wildcard
# syntax used in V3.0 and now deprecated. More detailed examples will
# be discussed elsewhere
vm-export=PROD.*
vm-export=DEV.*:2
# metadata-export using the same regex principle than vm-export
metadata-export=WEB.*
`;

const EXAMPLE = `Usage-examples:

# config file
vmbackup password weekend.cfg

# single VM name, which is case sensitive
vmbackup password DEV-mySql

# single VM name using vdi-export instead of vm-export
vmbackup password vdi-export=DEV-mySql

# single VM name with spaces in name
vmbackup password "DEV mySql"

# VM prefix wildcard - which may be more than one VM
vmbackup password DEV-my.*

# all VMs in pool (the earlier "*" syntax is no longer valid)
vmbackup password .*

Alternate form - create-password-file:
# create password file from command line password
vmbackup password create-password-file=/root/VmBackup.pass

# use password file + config file
vmbackup /root/VmBackup.pass monthly.cfg

# safer: password from the environment, nothing secret on the command line
VMBACKUP_PASSWORD=secret vmbackup monthly.cfg preview
`;

export const MODERN_HELP = `vmbackup - VmBackup (NAUbackup) compatible backups for XenServer / XCP-ng

Usage:
  vmbackup [options] <password|password-file> <config-file|vm-selector> [preview] [compress=..]
           [ignore_extra_keys=..] [pre_clean=..]
  vmbackup [options] <config-file|vm-selector> ...   (password from VMBACKUP_PASSWORD,
                                                      --password-env or --password-stdin)
  vmbackup <password> create-password-file=<path>
  vmbackup help | config | example                    (the original's usage texts)
  vmbackup list [CONFIG|BACKUP_DIR] [--verify] [--json]   every backup, its state, and what the
                                                      next run's retention deletes (no password)
  vmbackup verify BACKUP_FOLDER... [--json]           read each export file to its end and check it
  vmbackup delete BACKUP_FOLDER... [--backup-dir DIR] [--dry-run] [--json]
                                                      delete backups by hand; never the newest good one
  vmbackup restore BACKUP_FOLDER [--name NEW_NAME] [--sr SR] [--preserve] [--start] [--disk-only]
           [--force] [--dry-run]                      restore a backup as a new VM (docs/cli.md, Restore)
  vmbackup healthcheck BACKUP_FOLDER [--sr SR] [--boot-timeout SECONDS]
                                                      restore, boot and remove it again

Password (never put it on the command line: other users can read it in ps):
  VMBACKUP_PASSWORD            environment variable read when no password argument is given
  --password-env NAME          read the password from environment variable NAME
  --password-stdin             read the password from the first line of standard input
  <password-file>              a file made with create-password-file= (base64, not encryption)

Where it runs:
  --transport xe|ssh|xapi      how the pool is reached: xe (default; local xe, also with
                               --xapi), ssh (with --ssh), xapi (XenAPI alone from any machine
                               with Node: no xe, no ssh; needs --xapi, files stay local)
  --ssh user@host[:port]       run xe and all file operations on that host through OpenSSH
                               (host key checking on; key or agent authentication)
  --ssh-config FILE            ssh_config file for --ssh (identity, known hosts, ProxyJump)
  --ssh-no-multiplex           a new ssh connection per command (automatic on Windows,
                               whose OpenSSH cannot share one); files still use one sftp channel
  --xe PATH                    the xe program (default /opt/xensource/bin/xe, else xe on PATH)
  --xapi URL                   XenAPI address for inventory and records
                               (default http://localhost/, or https://<ssh host>/ with --ssh)
  --xapi-fingerprint SHA256    accept the pool's self-signed certificate with this sha256
                               fingerprint (AA:BB:.. or hex; also VMBACKUP_XAPI_FINGERPRINT);
                               openssl x509 -in /etc/xensource/xapi-ssl.pem -noout
                               -fingerprint -sha256 prints it on the host
  --xapi-trust-file FILE       a whole pool's certificates, one host per line:
                               "<address or name> <sha256>" ("*" = any host); needed when
                               XenAPI moves to another host (HOST_IS_SLAVE, a new master)
  --xapi-insecure              accept ANY https certificate that cannot be verified
                               (prefer --xapi-fingerprint: the root password travels there)

Output and behaviour:
  --json                       JSON lines events on stdout (one object per line, see docs/cli.md)
  --concurrency N              back up N VMs at the same time (default 1)
  --regex-budget-ms MS         time one selection regex may spend on the VM names (default
                               1000; also VMBACKUP_REGEX_BUDGET_MS); over it the line fails
  --silence-timeout SECONDS    give up on a XenAPI call or ssh connection silent that long
                               (default 120; also VMBACKUP_SILENCE_TIMEOUT)
  --busy-wait SECONDS          retry this long while another tool's operation holds a VM (default 600)
  --dry-run                    show what a backup would do; change nothing
  --version                    print the version
  --help                       this text

Exit codes:
  backup:  0 all VMs succeeded, 1 warnings, 2 errors (also for bad arguments and interrupted runs)
  preview: 0 clean, 1 warnings, 2 errors
  list, verify: 0 good, 1 a damaged backup, 2 bad arguments or an unreadable folder
  delete: 0 deleted, 1 a folder refused, 2 bad arguments or a folder missing or not removable
  restore, healthcheck: 0 done, 1 nothing restored (a pool database dump), 2 errors
  help, config, example and the basic usage exit 1 as VmBackup.py did
`;

export function usageText(topic: UsageTopic): string {
  switch (topic) {
    case 'basic':
      return BASIC;
    case 'help':
      return HELP;
    case 'config':
      return CONFIG;
    case 'example':
      return EXAMPLE;
  }
}
