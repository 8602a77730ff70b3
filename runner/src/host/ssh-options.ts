// The OpenSSH command line for a run: the target, and the options that make it safe and
// fast — host-key checking on, no passwords, one multiplexed connection per run (or, where
// OpenSSH cannot multiplex, a connection per command: see sshMultiplexing).

import { HostError } from './errors';

export interface SshHostOptions {
  /** `user@host[:port]` (`user@[::1]:2222` for IPv6); without a user ssh picks it. */
  target: string;
  identityFile?: string;
  knownHostsFile?: string;
  /** An ssh_config file to use instead of ~/.ssh/config (`-F`). */
  configFile?: string;
  /** Default `ssh` from PATH. */
  sshPath?: string;
  /** `xe` on the target; default `xe` from the login's PATH. */
  xePath?: string;
  /** Extra `ssh` arguments, e.g. `['-o', 'ProxyJump=bastion']`. */
  extraSshOptions?: string[];
  /** Accept and remember the key of a host never seen before (`accept-new`); default: refuse. */
  acceptNewHostKey?: boolean;
  /** File operations over the sftp subsystem (default; falls back to shell commands when the
   *  server has none) or always as shell commands. */
  fileTransport?: 'sftp' | 'shell';
  /** At most this many commands at once on the one connection (sshd's MaxSessions is 10). */
  maxSessions?: number;
  /**
   * The silence budget (pool/silence.ts): a server silent this long (no answer to keep-alive
   * probes) ends the connection; connecting waits at most this long (and never over 20 s).
   */
  silenceMs?: number;
  /**
   * Share one master connection (ControlMaster) between all commands of the run; default true.
   * false: every command opens its own connection, and the file operations keep one sftp
   * connection of their own (Windows' OpenSSH has no ControlMaster). See sshMultiplexing.
   */
  multiplex?: boolean;
}

/**
 * Whether the run's ssh commands share one ControlMaster connection. Off when asked
 * (`--ssh-no-multiplex`) and on Windows, whose OpenSSH port has no ControlMaster (its
 * control socket is a Unix-domain socket). Without it each command (`xe`, `uname`, `df`)
 * pays a handshake, but the file operations, by far the most numerous, still travel as
 * packets on one long-lived sftp connection, so a run costs a few handshakes per VM.
 * The platform is a parameter so this stays pure and testable on Linux.
 */
export function sshMultiplexing(platform: NodeJS.Platform, noMultiplexRequested = false): boolean {
  return !noMultiplexRequested && platform !== 'win32';
}

export interface SshTarget {
  user?: string;
  host: string;
  port?: number;
}

export function parseSshTarget(target: string): SshTarget {
  const match = /^(?:([^@\s]+)@)?(\[[0-9A-Fa-f:.]+\]|[^@\s:[\]]+)(?::(\d{1,5}))?$/.exec(target);
  const host = match?.[2];
  if (!match || !host || host.startsWith('-') || match[1]?.startsWith('-')) {
    throw new HostError('EINVAL', `--ssh ${JSON.stringify(target)}: expected user@host or user@host:port`);
  }
  const port = match[3] === undefined ? undefined : Number(match[3]);
  if (port !== undefined && (port < 1 || port > 65535)) {
    throw new HostError('EINVAL', `--ssh ${JSON.stringify(target)}: port ${port} is out of range`);
  }
  return { user: match[1], host: host.replace(/^\[(.*)\]$/, '$1'), port };
}

/**
 * Where the master connection's private folder goes. Its socket path must fit a Unix socket
 * address (104 bytes on macOS, 108 on Linux) even with the 17 characters ssh appends to a
 * temporary name while it sets the master up. macOS gives each user a long $TMPDIR
 * (/var/folders/…/T/), a custom TMPDIR can be longer still: then /tmp, as short as it gets.
 */
export function controlDirectoryBase(temporaryDirectory: string): string {
  const socketPath = `${temporaryDirectory}/vmbackup-ssh-XXXXXX/mux`;
  return Buffer.byteLength(socketPath) + SSH_TEMPORARY_SUFFIX <= SOCKET_PATH_MAX ? temporaryDirectory : '/tmp';
}
/** ssh binds the master's socket as `<ControlPath>.<16 random characters>` first. */
const SSH_TEMPORARY_SUFFIX = 17;
/** sun_path holds 104 bytes on macOS and the BSDs (108 on Linux), the last one a NUL. */
const SOCKET_PATH_MAX = 103;

/** A value inside `-o Key=value`: ssh expands `%` tokens and splits some keys at spaces. */
function configValue(value: string): string {
  if (/["\n\r]/.test(value)) throw new HostError('EINVAL', `ssh option value ${JSON.stringify(value)} cannot be used`);
  const escaped = value.replaceAll('%', '%%');
  return /\s/.test(escaped) ? `"${escaped}"` : escaped;
}

/**
 * Arguments before the host: identity, host keys, multiplexing, keep-alive. Without a
 * controlPath multiplexing is turned off explicitly (`ControlMaster=no`, `ControlPath=none`),
 * so a `ControlMaster auto` in the user's ssh_config cannot bring it back.
 */
export function sshBaseArgs(options: SshHostOptions, target: SshTarget, controlPath: string | undefined): string[] {
  const args: string[] = [];
  const silenceSeconds = Math.max(1, Math.ceil((options.silenceMs ?? 60_000) / 1000));
  if (options.configFile !== undefined) args.push('-F', options.configFile);
  args.push(
    '-T',
    '-o',
    'BatchMode=yes', // key or agent only: never prompt for a password
    '-o',
    `StrictHostKeyChecking=${options.acceptNewHostKey ? 'accept-new' : 'yes'}`,
    '-o',
    'UpdateHostKeys=no',
    ...(controlPath === undefined
      ? ['-o', 'ControlMaster=no', '-o', 'ControlPath=none']
      : [
          '-o',
          'ControlMaster=auto',
          '-o',
          `ControlPath=${configValue(controlPath)}`,
          // The master outlives a crashed runner by at most a minute of idleness.
          '-o',
          'ControlPersist=60',
        ]),
    '-o',
    `ConnectTimeout=${Math.min(20, silenceSeconds)}`,
    '-o',
    `ServerAliveInterval=${Math.max(1, Math.ceil(silenceSeconds / 4))}`,
    '-o',
    'ServerAliveCountMax=4',
    '-o',
    'ForwardAgent=no',
    '-o',
    'ForwardX11=no',
    '-o',
    'ClearAllForwardings=yes',
    '-o',
    'PermitLocalCommand=no',
    '-o',
    'LogLevel=ERROR',
  );
  if (options.knownHostsFile !== undefined)
    args.push('-o', `UserKnownHostsFile=${configValue(options.knownHostsFile)}`);
  if (options.identityFile !== undefined) args.push('-i', options.identityFile, '-o', 'IdentitiesOnly=yes');
  if (target.port !== undefined) args.push('-p', String(target.port));
  if (target.user !== undefined) args.push('-l', target.user);
  args.push(...(options.extraSshOptions ?? []));
  return args;
}
