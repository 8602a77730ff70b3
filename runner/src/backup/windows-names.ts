// File-name rules of a Windows disk (issue 14: the xapi transport writes backups to the disk of
// the machine it runs on, which may be a Windows workstation). A VM name becomes a folder and a
// file name (`<vm>/backup-…/<vm>.xva`), so a VM whose name Windows cannot store is refused with
// the reason, instead of failing with an OS error or, worse, writing somewhere else: `\` is a
// separator there, a trailing dot or space is dropped (`web.` would share `web`'s folder), and
// `NUL.xva` is the null device, which swallows the backup.

const FORBIDDEN = /[<>:"/\\|?*]/g;
const CONTROL = /[\x00-\x1f]/;

/**
 * The DOS device names, in any case, also followed by an extension (`CON.txt` is CON) and with
 * blanks before the dot. COM0, LPT0 and the superscript digits are included on purpose: which
 * of them a given Windows treats as a device varies, and refusing a name costs only a rename.
 */
const DIGIT = '[0-9\u00b9\u00b2\u00b3\u2070\u2074-\u2079]';
const DEVICE = new RegExp(`^(CON|PRN|AUX|NUL|COM${DIGIT}|LPT${DIGIT}|CONIN\\$|CONOUT\\$) *(\\.|$)`, 'i');

const listed = (items: string[]): string => {
  const quoted = items.map((c) => `'${c}'`);
  return quoted.length === 1 ? quoted[0]! : `${quoted.slice(0, -1).join(', ')} and ${quoted.at(-1)}`;
};

/** Why `name` cannot be a file or folder name on Windows, or undefined when it can. */
export function windowsNameReason(name: string): string | undefined {
  const vm = `the VM name '${name}'`;
  const forbidden = [...new Set(name.match(FORBIDDEN) ?? [])];
  if (forbidden.length > 0) return `${vm} contains ${listed(forbidden)}, which a Windows file name cannot hold`;
  const control = CONTROL.exec(name)?.[0];
  if (control !== undefined) {
    const code = control.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
    return `${vm} contains a control character (U+${code}), which a Windows file name cannot hold`;
  }
  if (/[. ]$/.test(name)) {
    const what = name.endsWith('.') ? 'a dot' : 'a space';
    return `${vm} ends with ${what}, which Windows drops from file names (it would share another VM's folder)`;
  }
  const device = DEVICE.exec(name)?.[1];
  if (device !== undefined) {
    const upper = device.toUpperCase();
    return `${vm} is the Windows device name ${upper}: with or without an extension it names the device, not a file`;
  }
  return undefined;
}

/**
 * Another of `names` that differs from `name` only in case: Windows compares file names without
 * case, so both VMs' backups would land in one folder, and one VM's retention would delete the
 * other's backups. Lower case stands for Windows' own case table (both map letters one to one).
 */
export function caseTwinOnWindows(name: string, names: readonly string[]): string | undefined {
  const folded = name.toLowerCase();
  return names.find((other) => other !== name && other.toLowerCase() === folded);
}
