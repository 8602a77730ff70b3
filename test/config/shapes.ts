// Config shapes of n lines that stress one part of diagnosis each (duplicates, late excludes,
// unknown keys, invalid regexes, huge lines, many VMs): used by the complexity test and the
// benchmark (bench/diagnose.ts).
export type ConfigShape = (n: number) => { text: string; pool: string[] };

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const names = (n: number, prefix = 'vm') => range(n).map((i) => `${prefix}${i}`);

export const CONFIG_SHAPES: Record<string, ConfigShape> = {
  'one VM selected on every line': (n) => ({ text: range(n).map((i) => `vm-export=web01:${(i % 5) + 1}`).join('\n'), pool: ['web01'] }),
  'excludes after the first selection': (n) => ({ text: ['vm-export=web01', ...names(n, 'exclude=E')].join('\n'), pool: ['web01'] }),
  'unknown keys': (n) => ({ text: range(n).map((i) => `foo${i}=1`).join('\n'), pool: [] }),
  'a setting repeated': (n) => ({ text: range(n).map(() => 'max_backups=4').join('\n'), pool: [] }),
  'invalid regexes': (n) => ({ text: range(n).map(() => 'vm-export=([').join('\n'), pool: ['a'] }),
  'one huge line': (n) => ({ text: 'vm-export=' + 'a'.repeat(n * 20), pool: ['a'] }),
  "one line of n '='": (n) => ({ text: 'vm-export=' + 'a='.repeat(n), pool: ['a'] }),
  "one line of n ':'": (n) => ({ text: 'vm-export=a' + ':'.repeat(n), pool: ['a'] }),
  'every VM selected by name': (n) => ({ text: names(n, 'vm-export=vm').join('\n'), pool: names(n) }),
  'every VM excluded, then a regex': (n) => ({ text: names(n, 'exclude=vm').join('\n') + '\nvm-export=vm.*', pool: names(n) }),
  'names that match nothing': (n) => ({ text: names(n, 'vm-export=VM').join('\n'), pool: names(n) }),
  'vdi-export and vm-export of the same VMs': (n) => ({ text: [...names(n, 'vdi-export=vm'), ...names(n, 'vm-export=vm')].join('\n'), pool: names(n) }),
  'CR line ends': (n) => ({ text: names(n, 'vm-export=vm').join('\r'), pool: ['vm1'] }),
  'suppression comments': (n) => ({ text: range(n).map((i) => (i % 2 ? `  # c${i}` : '# vmbackup-disable-next-line VMB040')).join('\n'), pool: [] }),
  'regex per line': (n) => ({ text: range(n).map((i) => `vm-export=vm${i}.*`).join('\n'), pool: names(100) }),
  'mixed realistic file': (n) => {
    const out = ['max_backups=4', 'backup_dir=/snapshots/BACKUPS'];
    for (let i = 0; out.length < n; i++) {
      const lines = [`# group ${i}`, `vm-export=PROD-web${i}:3`, `vm-export=DEV-${i}.*`, `vdi-export=BIG-db${i}`, '', `exclude=LATE-${i}`, `vm-export=APP-${i}-[ab]$`, `max_backup=${i}`];
      out.push(lines[i % lines.length]!);
    }
    return { text: out.join('\n'), pool: [...names(200, 'PROD-web'), ...names(200, 'DEV-')] };
  },
};
