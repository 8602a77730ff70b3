// The extension's part of the root package.json (contributes, activationEvents, icon, gallery
// fields, the `package` script), kept here as code so it can be re-applied after other helpers
// edit package.json: `flock /tmp/shared.lock node client/manifest/contributes.mjs`.
// `--manifest PATH` applies it to another copy (used to commit only these fields).
import { readFileSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const flag = process.argv.indexOf('--manifest');
const manifestPath = flag > 0 ? process.argv[flag + 1] : join(root, 'package.json');
const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));

const vmbackupFile = 'resourceLangId == vmbackup';
const trusted = 'isWorkspaceTrusted';

const commands = [
  {
    command: 'vmbackup.runPreview',
    title: 'Run Preview',
    category: 'VmBackup',
    icon: '$(eye)',
    enablement: `${trusted} && !vmbackup.running`,
  },
  {
    command: 'vmbackup.runBackup',
    title: 'Run Backup',
    category: 'VmBackup',
    icon: '$(play)',
    enablement: `${trusted} && !vmbackup.running`,
  },
  {
    command: 'vmbackup.stop',
    title: 'Stop',
    category: 'VmBackup',
    icon: '$(debug-stop)',
    enablement: 'vmbackup.running',
  },
  { command: 'vmbackup.setPoolPassword', title: 'Set Pool Password', category: 'VmBackup', icon: '$(key)' },
  { command: 'vmbackup.connectPool', title: 'Connect to Pool', category: 'VmBackup', icon: '$(plug)' },
  {
    command: 'vmbackup.disconnectPool',
    title: 'Disconnect from Pool',
    category: 'VmBackup',
    icon: '$(debug-disconnect)',
  },
  { command: 'vmbackup.showLogs', title: 'Show Logs', category: 'VmBackup', icon: '$(output)' },
  { command: 'vmbackup.openStatusLog', title: 'Open Status Log', category: 'VmBackup', icon: '$(file-text)' },
  {
    command: 'vmbackup.showStatusHistory',
    title: 'Show Status Log History',
    category: 'VmBackup',
    icon: '$(graph)',
  },
  { command: 'vmbackup.openAsVmBackupConfig', title: 'Open as VmBackup config', category: 'VmBackup' },
  {
    command: 'vmbackup.checkAllConfigs',
    title: 'Check All VmBackup Configs',
    category: 'VmBackup',
    icon: '$(checklist)',
  },
  // A backup_dir document link over ssh runs it with the folder's vmbackup-ssh URI.
  { command: 'vmbackup.browseRemoteFolder', title: 'Browse Remote Backup Folder', category: 'VmBackup' },
  { command: 'vmbackup.refreshCoverage', title: 'Refresh Pool Coverage', category: 'VmBackup', icon: '$(refresh)' },
  // The Backups view: the runner's `list`, `verify`, `restore` and `healthcheck` on one backup folder.
  { command: 'vmbackup.refreshBackups', title: 'Refresh Backups', category: 'VmBackup', icon: '$(refresh)' },
  {
    command: 'vmbackup.verifyBackup',
    title: 'Verify',
    category: 'VmBackup',
    icon: '$(verified)',
    enablement: trusted,
  },
  { command: 'vmbackup.restoreBackup', title: 'Restore…', category: 'VmBackup', enablement: trusted },
  { command: 'vmbackup.healthCheckBackup', title: 'Health Check', category: 'VmBackup', enablement: trusted },
  { command: 'vmbackup.revealBackup', title: 'Reveal', category: 'VmBackup' },
  { command: 'vmbackup.deleteBackup', title: 'Delete…', category: 'VmBackup', enablement: trusted },
];
const backupItem = 'view == vmbackup.backups && viewItem =~ /^backup/';

const setting = (type, def, markdownDescription, extra = {}) => ({ type, default: def, markdownDescription, ...extra });

const configuration = [
  {
    title: 'Pool',
    properties: {
      'vmbackup.pool.url': setting(
        'string',
        '',
        'XenAPI URL of the pool master, e.g. `https://xen1.example.org` (with `https://`, or `http://` for a pool ' +
          'without TLS). Hovers list the VMs a selection matches and **Run Preview / Run Backup** talk to this pool. ' +
          "The password is kept in VS Code's secret storage (**VmBackup: Set Pool Password**), never in settings.",
        {
          pattern: '^$|^[hH][tT][tT][pP][sS]?://[^/\\s]+',
          patternErrorMessage:
            'Start the URL with https:// (or http:// for a pool without TLS), e.g. https://xen1.example.org',
          order: 1,
        },
      ),
      'vmbackup.pool.user': setting('string', 'root', 'XenAPI user name.', { order: 2 }),
      'vmbackup.pool.certificateFingerprint': setting(
        'string',
        '',
        "SHA-256 fingerprint (`AB:CD:…` or plain hex) of the pool's self-signed TLS certificate. " +
          'Without it only certificates trusted by the system are accepted.',
        { order: 3 },
      ),
    },
  },
  {
    title: 'Runner',
    properties: {
      'vmbackup.runner.transport': setting(
        'string',
        'local',
        'How the runner reaches the pool and where the backup files live.',
        {
          enum: ['local', 'ssh', 'xapi'],
          enumDescriptions: [
            'On this machine (VS Code runs on the XenServer / XCP-ng host, or `xe` is installed here).',
            'On the host named in `#vmbackup.runner.sshTarget#`, through OpenSSH (key or agent authentication).',
            'Through XenAPI alone (`--transport xapi`), to the pool of `#vmbackup.pool.url#`: no `xe`, no ssh; ' +
              'the backup files are written on this machine.',
          ],
          order: 10,
        },
      ),
      'vmbackup.runner.sshTarget': setting(
        'string',
        '',
        'SSH target `user@host[:port]` used when `#vmbackup.runner.transport#` is `ssh`.',
        { order: 11 },
      ),
      'vmbackup.runner.xePath': setting(
        'string',
        '',
        'Path of the `xe` program. Empty: `/opt/xensource/bin/xe` when present, else `xe` from `PATH`.',
        { order: 12 },
      ),
      'vmbackup.runner.extraArgs': setting(
        'array',
        [],
        'Extra command-line arguments for the runner, e.g. `["--concurrency", "2"]` or `["compress=True"]`. ' +
          "See the runner's documentation for every option.",
        { items: { type: 'string' }, order: 13 },
      ),
      'vmbackup.runner.env': setting(
        'object',
        {},
        'Extra environment variables for the runner process ' +
          '(not for secrets: the pool password comes from secret storage).',
        { additionalProperties: { type: 'string' }, order: 14 },
      ),
      'vmbackup.tasks.confirmBackup': setting(
        'boolean',
        true,
        'Ask before a `vmbackup` **backup task** runs, with the same dialog as **Run Backup**. ' +
          'Turn off only for unattended use (e.g. CI) where nobody can answer. ' +
          'Backup tasks are never build tasks, so **Run Build Task** (Ctrl+Shift+B) cannot start one.',
        { order: 15 },
      ),
    },
  },
  {
    title: 'Editor',
    properties: {
      'vmbackup.detectLanguage': setting(
        'boolean',
        true,
        'Open other `.cfg` files as VmBackup configs when their content clearly is one ' +
          '(only VmBackup keys or near misses such as `max_backup`, at least one `vm-export`, `vdi-export`, ' +
          '`exclude` or `max_backups` line), and offer **Open as VmBackup config** for one that looks close. ' +
          'Never changes a file whose language you picked. To choose files yourself use `#files.associations#`.',
        { order: 20 },
      ),
      'vmbackup.validate.enable': setting('boolean', true, 'Show problems in VmBackup configs as you type.', {
        order: 21,
      }),
      'vmbackup.validate.severityOverrides': setting(
        'object',
        {},
        'Change or silence single diagnostics by code, e.g. `{ "VMB012": "off", "VMB020": "error" }`.',
        {
          additionalProperties: { type: 'string', enum: ['error', 'warning', 'information', 'hint', 'off'] },
          order: 22,
        },
      ),
      'vmbackup.validate.ignoreExtraKeys': setting(
        'boolean',
        false,
        "Like VmBackup.py's `ignore_extra_keys=true`: unknown keys are not errors.",
        { order: 23 },
      ),
      'vmbackup.compatibility': setting('string', 'extended', 'Which program the configs are written for.', {
        enum: ['extended', 'original'],
        enumDescriptions: [
          "vmbackup: the original's keys plus this project's extension keys (compress, mail_to, …).",
          'The original VmBackup.py: keys and forms it would reject are errors.',
        ],
        order: 24,
      }),
      'vmbackup.trace.server': setting(
        'string',
        'off',
        'Traces the communication between VS Code and the VmBackup language server (in the VmBackup output channel).',
        {
          enum: ['off', 'messages', 'verbose'],
          scope: 'window',
          order: 30,
        },
      ),
    },
  },
];

// Get Started: the first backup, step by step. Each step completes when its command ran.
const commandLink = (title, command, args) =>
  `[${title}](command:${command}${args ? `?${encodeURIComponent(JSON.stringify(args))}` : ''})`;
const walkthroughs = [
  {
    id: 'vmbackup.firstBackup',
    title: 'Back up a XenServer / XCP-ng pool with VmBackup',
    description: 'Connect a pool, check a config against it, run the backup and read its status log.',
    steps: [
      {
        id: 'connectPool',
        title: 'Connect a pool',
        description:
          'Set the XenAPI URL of the pool master (`https://…`) in your user settings; ' +
          'hovers then list the VMs each line selects.\n' +
          commandLink('Open Pool Settings', 'workbench.action.openSettings', ['vmbackup.pool']),
        media: {
          image: 'images/screenshots/04-hover-regex-vms.png',
          altText: 'A hover listing the VMs a regex selects',
        },
        completionEvents: ['onSettingChanged:vmbackup.pool.url'],
      },
      {
        id: 'setPassword',
        title: 'Set the pool password',
        description:
          "The password is kept in VS Code's secret storage, never in settings, " +
          'and checked by logging in to the pool.\n' +
          commandLink('Set Pool Password', 'vmbackup.setPoolPassword'),
        media: {
          image: 'images/screenshots/03-problems-panel-typo.png',
          altText: 'A VmBackup config with its problems',
        },
        completionEvents: ['onCommand:vmbackup.setPoolPassword'],
      },
      {
        id: 'preview',
        title: 'Preview a config',
        description:
          'Open a VmBackup `.cfg` and preview it: the runner checks the config ' +
          'and lists the VMs it would back up, changing nothing.\n' +
          commandLink('Run Preview', 'vmbackup.runPreview'),
        media: { image: 'images/screenshots/06-run-preview-output.png', altText: 'The preview in the VmBackup output' },
        completionEvents: ['onCommand:vmbackup.runPreview'],
      },
      {
        id: 'backup',
        title: 'Back up',
        description:
          'Run the backup: you confirm the VM count and the target first, ' +
          'then the log streams into the VmBackup output.\n' +
          commandLink('Run Backup', 'vmbackup.runBackup'),
        media: { image: 'images/screenshots/07-run-backup-confirmation.png', altText: 'The Run Backup confirmation' },
        completionEvents: ['onCommand:vmbackup.runBackup'],
      },
      {
        id: 'statusLog',
        title: 'Read the status log',
        description:
          "Every run appends to the config's `status_log`, the file monitoring reads.\n" +
          commandLink('Open Status Log', 'vmbackup.openStatusLog'),
        media: { image: 'images/screenshots/09-run-backup-done.png', altText: 'A finished backup' },
        completionEvents: ['onCommand:vmbackup.openStatusLog'],
      },
    ],
  },
];

manifest.icon = 'images/icon.png';
manifest.galleryBanner = { color: '#1b2b3a', theme: 'dark' };
// No public repository yet: no `repository` field (vsce is told so) rather than an invented URL.
delete manifest.repository;
manifest.activationEvents = [
  'onLanguage:vmbackup',
  'onLanguage:properties',
  'onTaskType:vmbackup',
  'onView:vmbackup.coverage',
  'onView:vmbackup.backups',
  // An editor restored on a vmbackup-ssh: status log needs the read-only file system.
  'onFileSystem:vmbackup-ssh',
];
manifest.capabilities = {
  untrustedWorkspaces: {
    supported: 'limited',
    description:
      'Highlighting, diagnostics, completion and hovers from the cached inventory work in Restricted Mode. ' +
      'Running the backup runner and connecting to a pool named in workspace settings need a trusted workspace.',
    restrictedConfigurations: [
      'vmbackup.pool.url',
      'vmbackup.pool.user',
      'vmbackup.pool.certificateFingerprint',
      'vmbackup.runner.transport',
      'vmbackup.runner.sshTarget',
      'vmbackup.runner.xePath',
      'vmbackup.runner.extraArgs',
      'vmbackup.runner.env',
      'vmbackup.tasks.confirmBackup',
    ],
  },
  virtualWorkspaces: { supported: false, description: 'The runner and the pool connection need files on disk.' },
};
manifest.contributes = {
  languages: [
    {
      id: 'vmbackup',
      aliases: ['VmBackup config', 'vmbackup'],
      filenamePatterns: ['*.vmbackup.cfg', '**/NAUbackup/**/*.cfg', '**/VmBackup/**/*.cfg'],
      firstLine: '^#.*\\b(?:VmBackup|NAUbackup|vmbackup)\\b',
      configuration: './syntaxes/language-configuration.json',
    },
  ],
  grammars: [{ language: 'vmbackup', scopeName: 'source.vmbackup', path: './syntaxes/vmbackup.tmLanguage.json' }],
  commands,
  menus: {
    'editor/title': [
      { command: 'vmbackup.runPreview', when: `${vmbackupFile} && !vmbackup.running`, group: 'navigation@1' },
      { command: 'vmbackup.runBackup', when: `${vmbackupFile} && !vmbackup.running`, group: 'navigation@2' },
      { command: 'vmbackup.stop', when: `${vmbackupFile} && vmbackup.running`, group: 'navigation@1' },
      { command: 'vmbackup.showLogs', when: vmbackupFile, group: 'vmbackup@1' },
      { command: 'vmbackup.openStatusLog', when: vmbackupFile, group: 'vmbackup@2' },
      { command: 'vmbackup.showStatusHistory', when: vmbackupFile, group: 'vmbackup@3' },
    ],
    commandPalette: [
      { command: 'vmbackup.runPreview', when: 'editorLangId == vmbackup' },
      { command: 'vmbackup.runBackup', when: 'editorLangId == vmbackup' },
      { command: 'vmbackup.stop', when: 'vmbackup.running' },
      { command: 'vmbackup.openStatusLog', when: 'editorLangId == vmbackup' },
      { command: 'vmbackup.showStatusHistory', when: 'editorLangId == vmbackup' },
      { command: 'vmbackup.openAsVmBackupConfig', when: 'resourceExtname == .cfg && editorLangId != vmbackup' },
      { command: 'vmbackup.refreshCoverage', when: 'false' },
      ...['verify', 'restore', 'healthCheck', 'reveal', 'delete'].map((a) => ({
        command: `vmbackup.${a}Backup`,
        when: 'false',
      })),
      { command: 'vmbackup.browseRemoteFolder', when: 'false' },
    ],
    'view/item/context': [
      { command: 'vmbackup.verifyBackup', when: backupItem, group: 'inline@1' },
      { command: 'vmbackup.verifyBackup', when: backupItem, group: '1_check@1' },
      { command: 'vmbackup.healthCheckBackup', when: backupItem, group: '1_check@2' },
      { command: 'vmbackup.restoreBackup', when: backupItem, group: '2_restore@1' },
      { command: 'vmbackup.revealBackup', when: backupItem, group: '3_file@1' },
      // Never offered for a VM's newest good backup (the command refuses it too).
      {
        command: 'vmbackup.deleteBackup',
        when: 'view == vmbackup.backups && viewItem == backup.deletable',
        group: '3_file@2',
      },
      {
        command: 'vmbackup.showStatusHistory',
        when: 'view == vmbackup.backups && viewItem == config',
        group: 'inline@1',
      },
    ],
    'view/title': [
      { command: 'vmbackup.refreshCoverage', when: 'view == vmbackup.coverage', group: 'navigation@1' },
      { command: 'vmbackup.checkAllConfigs', when: 'view == vmbackup.coverage', group: 'navigation@2' },
      { command: 'vmbackup.refreshBackups', when: 'view == vmbackup.backups', group: 'navigation@1' },
    ],
  },
  // Which VMs no config backs up, which config backs up which VM, which VM is backed up twice.
  views: {
    explorer: [
      {
        id: 'vmbackup.coverage',
        name: 'VmBackup Pool Coverage',
        icon: 'images/icon.png',
        contextualTitle: 'VmBackup',
        when: 'vmbackup.active',
      },
      // Every backup of the workspace's configs: state, retention marks, verify/restore/delete.
      {
        id: 'vmbackup.backups',
        name: 'VmBackup Backups',
        icon: 'images/icon.png',
        contextualTitle: 'VmBackup',
        when: 'vmbackup.active',
      },
    ],
  },
  viewsWelcome: [
    {
      view: 'vmbackup.coverage',
      contents:
        'No pool inventory yet. Connect to a pool to see which VMs no VmBackup config backs up.\n' +
        commandLink('Set Pool Password', 'vmbackup.setPoolPassword') +
        '\n' +
        commandLink('Check All VmBackup Configs', 'vmbackup.checkAllConfigs'),
    },
  ],
  walkthroughs,
  configuration,
  // VS Code's word-based suggestions fill in when the language server offers nothing, e.g.
  // after a complete VM name: the popup then offers the very name just typed and Enter takes
  // it instead of starting a new line. Keys and VM names come from the server only. Enter never
  // accepts a suggestion in a VmBackup file (Tab does): every line is one `key=value`, so Enter
  // always means "next line", and a list still open on the value just typed (a late answer on a
  // loaded machine; 'smart' was not enough there) can never swallow it.
  configurationDefaults: {
    '[vmbackup]': { 'editor.wordBasedSuggestions': 'off', 'editor.acceptSuggestionOnEnter': 'off' },
  },
  taskDefinitions: [
    {
      type: 'vmbackup',
      required: ['action', 'config'],
      properties: {
        action: {
          type: 'string',
          enum: ['preview', 'backup'],
          description: 'Preview the selection or run the backup.',
        },
        config: {
          type: 'string',
          description: 'The VmBackup .cfg file (absolute, or relative to the workspace folder).',
        },
        args: {
          type: 'array',
          items: { type: 'string' },
          description: 'Extra runner arguments, added after vmbackup.runner.extraArgs.',
        },
      },
    },
  ],
};
manifest.scripts = {
  ...manifest.scripts,
  package:
    // The README the details page shows is dist/README.md (scripts/vsix-readme.mjs).
    'npm run build -- --production && node scripts/vsix-readme.mjs && vsce package --no-dependencies ' +
    '--allow-missing-repository --no-rewrite-relative-links --readme-path dist/README.md --out vmbackup.vsix',
};

writeFileSync(manifestPath, JSON.stringify(manifest, null, 2) + '\n');
console.log('package.json: contributes, activationEvents, capabilities, icon, galleryBanner, scripts.package updated');
