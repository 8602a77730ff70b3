// `sh -c LOCAL_WATCHDOG vmbackup MODE RUNNER_PID PROGRAM ARG...` runs `xe` on this machine so that
// it never outlives the runner and its password never touches a disk:
// - a watcher checks every second that the runner (RUNNER_PID) is alive and stops the program
//   when it is gone — even after SIGKILL, when no clean-up code runs (an orphaned
//   `xe vm-export` would otherwise keep writing into the backup folder);
// - MODE `pwf`: stdin holds two lines, xe's user and password; they reach xe through a pipe it
//   reads as `-pwf /dev/stdin` (a real pipe: the socket node gives as stdin cannot be opened
//   by path). No temporary password file exists at any moment;
// - SIGTERM/SIGINT/SIGHUP to the shell (a cancelled step) stop the program too.
export const LOCAL_WATCHDOG = [
  'mode=$1; runner_pid=$2; shift 2',
  'if [ "$mode" = pwf ]; then',
  "  IFS= read -r user && IFS= read -r password || { echo 'vmbackup-watchdog: no xe password on stdin' >&2; exit 97; }",
  `  printf '%s\\n%s\\n' "$user" "$password" | "$@" &`,
  'else',
  '  "$@" </dev/null &',
  'fi',
  'command_pid=$!',
  'password=',
  'trap \'kill -TERM "$command_pid" 2>/dev/null\' TERM INT HUP',
  '{ while kill -0 "$runner_pid" 2>/dev/null; do sleep 1; done; kill -TERM "$command_pid" 2>/dev/null; } \\',
  '  </dev/null >/dev/null 2>&1 &',
  'watcher_pid=$!',
  'while :; do',
  '  wait "$command_pid"; status=$?',
  '  kill -0 "$command_pid" 2>/dev/null || break',
  'done',
  'kill -KILL "$watcher_pid" 2>/dev/null # KILL: a TERM could meet the trap the fresh subshell still has',
  'exit "$status"',
].join('\n');
