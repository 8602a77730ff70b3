// `sh -c LOCAL_WATCHDOG vmbackup MODE PROGRAM ARG...` runs `xe` on this machine so that it never
// outlives the runner and its password never touches a disk:
// - stdin is the runner's lifeline, a pipe it never closes: when the runner dies — even by
//   SIGKILL — the kernel closes it, a watcher reads EOF and stops the program (an orphaned
//   `xe vm-export` would otherwise keep writing into the backup folder).
// - MODE `pwf`: the first two lines of stdin are xe's user and password; they reach xe through
//   a pipe it reads as `-pwf /dev/stdin` (a pipe, not the socket node gives as stdin, which
//   /dev/stdin cannot open). No temporary password file exists at any moment.
// - SIGTERM/SIGINT/SIGHUP to the shell (a cancelled step) stop the program too.
export const LOCAL_WATCHDOG = [
  'mode=$1; shift',
  'if [ "$mode" = pwf ]; then',
  "  IFS= read -r user && IFS= read -r password || { echo 'vmbackup-watchdog: no xe password on stdin' >&2; exit 97; }",
  '  exec 4<&0',
  `  printf '%s\\n%s\\n' "$user" "$password" | "$@" 4<&- &`,
  'else',
  '  exec 4<&0',
  '  "$@" </dev/null 4<&- &',
  'fi',
  'command_pid=$!',
  'password=',
  "trap 'kill -TERM \"$command_pid\" 2>/dev/null' TERM INT HUP",
  '{ cat <&4 >/dev/null 2>&1; kill -TERM "$command_pid" 2>/dev/null; } >/dev/null 2>&1 &',
  'watcher_pid=$!',
  'exec 4<&-',
  'while :; do',
  '  wait "$command_pid"; status=$?',
  '  kill -0 "$command_pid" 2>/dev/null || break',
  'done',
  'kill "$watcher_pid" 2>/dev/null',
  'exit "$status"',
].join('\n');
