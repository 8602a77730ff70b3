// The fixed shell scripts the ssh host runs on the target. They are constants written here;
// paths and arguments never become part of a script: they travel as positional parameters
// (`sh -c SCRIPT vmbackup ARG...`), each one single-quoted by quote.ts. Distinct exit
// codes tell "not found" / "exists" apart from other failures without parsing messages.

export const EXIT_NOT_FOUND = 3;
export const EXIT_EXISTS = 4;
/** stderr lines of the watchdog itself, so they are not mistaken for the program's. */
export const STDOUT_FILE_EXISTS = 'vmbackup-watchdog: the output file already exists';
export const STDOUT_FILE_FAILED = 'vmbackup-watchdog: cannot create the output file';

const prelude = 'LC_ALL=C; export LC_ALL; ';
const requireEntry = `[ -e "$1" ] || [ -L "$1" ] || exit ${EXIT_NOT_FOUND}; `;

export const scripts = {
  hostname: `${prelude}exec uname -n`,
  freeBytes: `${prelude}${requireEntry}exec df -B1 --output=avail -- "$1"`,
  // find -L: describe what a symlink points to (as node's stat does); NUL ends each record
  // so names with newlines survive.
  stat: `${prelude}${requireEntry}exec find -L "$1" -maxdepth 0 -printf '%y %s %T@ %f\\0'`,
  list:
    `${prelude}${requireEntry}[ -d "$1" ] || { echo "$1: not a directory" >&2; exit 1; }; ` +
    `cd -- "$1" && exec find -L . -mindepth 1 -maxdepth 1 -printf '%y %s %T@ %P\\0'`,
  mkdir: `${prelude}exec mkdir -p -- "$1"`,
  readFile: `${prelude}${requireEntry}exec cat -- "$1"`,
  writeFile: `${prelude}exec cat > "$1"`,
  appendFile: `${prelude}exec cat >> "$1"`,
  remove: `${prelude}exec rm -rf -- "$1"`,
  // -T: rename(2) semantics, never "move into" an existing directory.
  rename: `${prelude}${requireEntry}exec mv -f -T -- "$1" "$2"`,
  // set -C makes the shell open with O_EXCL (`command` keeps a failed redirection from ending
  // the shell). A failed write removes the file this script created: an empty lock left
  // behind (disk full) would block every later run.
  createExclusive:
    `${prelude}set -C; if ! command exec 3> "$1"; then [ -e "$1" ] && exit ${EXIT_EXISTS}; exit 1; fi; ` +
    'cat >&3 && exec 3>&- && exit 0; exec 3>&-; rm -f -- "$1"; exit 1',
  makeDirectoryExclusive:
    `${prelude}mkdir -- "$1" 2>/dev/null && exit 0; ` + `[ -d "$1" ] && exit ${EXIT_EXISTS}; exec mkdir -- "$1"`,
  removeFile: `${prelude}exec rm -f -- "$1"`,
  removeDirectory: `${prelude}exec rmdir -- "$1"`,
} as const;

/**
 * `sh -c WATCHDOG vmbackup OUTFILE PROGRAM ARG...` runs the program and kills it when the
 * ssh channel goes away. Without a tty nothing signals a remote command when the client
 * dies, so a cancelled or killed run would leave `xe vm-export` running against a snapshot
 * we are about to remove. A watcher reads the channel's stdin (saved as fd 3: background
 * jobs otherwise get /dev/null) and sends TERM to the program at EOF; the program itself
 * reads /dev/null. OUTFILE empty: stdout comes back over ssh; otherwise stdout goes into
 * that file, created with O_EXCL (`set -C`) — an existing file ends with EXIT_EXISTS.
 */
export const watchdog = [
  prelude,
  'out=$1; shift',
  'if [ -n "$out" ]; then',
  `  if [ -e "$out" ] || [ -L "$out" ]; then echo "${STDOUT_FILE_EXISTS}" >&2; exit ${EXIT_EXISTS}; fi`,
  `  set -C; command exec 4> "$out" || { echo "${STDOUT_FILE_FAILED}" >&2; exit 1; }; set +C`,
  'else exec 4>&1; fi',
  'exec 3<&0',
  '"$@" </dev/null >&4 4>&- 3<&- &',
  'command_pid=$!',
  'exec 4>&-',
  '{ cat <&3 >/dev/null 2>&1; kill -TERM "$command_pid" 2>/dev/null; } >/dev/null 2>&1 &',
  'watcher_pid=$!',
  'exec 3<&-',
  'wait "$command_pid"; status=$?',
  'kill "$watcher_pid" 2>/dev/null',
  'exit "$status"',
].join('\n');
