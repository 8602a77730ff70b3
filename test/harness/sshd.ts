// A real OpenSSH server for the ssh tests: `sshd` on 127.0.0.1 at a free port, with a host
// key and a user key generated for this run, its own sshd_config and authorized_keys in a
// temp dir, and a known_hosts file holding the generated host key, so the client keeps
// StrictHostKeyChecking=yes exactly as in production.
//
// How `xe` (the simulator's, test/sim/bin/xe) is found through ssh: sshd's `SetEnv` gives
// every login of this server
//   HOME=<temp>/home   — the login's own home: tests write `<home>/.xe` there (`server=`,
//                        `port=`, `username=`, `password=`, `nossl=true` lines, which xe
//                        reads as defaults), so plain `xe vm-list` over ssh talks to the
//                        simulator without -s/-pw on any command line, like root on dom0;
//   PATH=test/sim/bin:<node's dir>:/usr/bin:/bin — `xe` and `node` resolve as on a host.
// SetEnv is applied by sshd after it sets HOME/PATH for the account, so it wins, and it does
// not depend on the account's shell rc files or on PermitUserEnvironment. Running as root,
// this leaves the real /root untouched. Extra variables (e.g. XE_EXTRA_ARGS) can be passed
// in `env`; they are set the same way.
//
// scripts/ensure-sshd.sh installs openssh-server when /usr/sbin/sshd is missing.

import { spawn, type ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { freePort } from './ports';

const SSHD = '/usr/sbin/sshd';
const repoRoot = join(import.meta.dirname, '..', '..');

export interface SshdOptions {
  /** Extra environment for every login (values must not contain `"` or a newline). */
  env?: Record<string, string>;
  /** Directories put first on the login's PATH (default: test/sim/bin). */
  pathDirs?: string[];
  /** Offer the sftp subsystem (default true; false = a server that has it disabled). */
  sftp?: boolean;
}

export interface Sshd {
  port: number;
  /** `user@127.0.0.1:port`, the form `vmbackup --ssh` takes. */
  target: string;
  identityFile: string;
  knownHostsFile: string;
  user: string;
  /** The login's HOME (write `.xe` here). */
  home: string;
  /** Options for createSshHost that isolate the client from ~/.ssh/config. */
  hostOptions: { target: string; identityFile: string; knownHostsFile: string; configFile: string };
  /** sshd's own log (for failure messages). */
  log(): string;
  stop(): Promise<void>;
}

function ensureSshdInstalled(): void {
  if (existsSync(SSHD)) return;
  execFileSync(join(repoRoot, 'scripts', 'ensure-sshd.sh'), { stdio: 'inherit' });
}

function keygen(file: string, comment: string): void {
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', file], { stdio: 'ignore' });
}

function sshdConfig(
  dir: string,
  port: number,
  user: string,
  environment: Record<string, string>,
  sftp: boolean,
): string {
  const setEnv = Object.entries(environment).map(([key, value]) => {
    if (/["\n\r]/.test(value)) throw new Error(`startSshd: value of ${key} cannot be put in sshd_config`);
    return `"${key}=${value}"`;
  });
  return [
    `Port ${port}`,
    'ListenAddress 127.0.0.1',
    `HostKey ${join(dir, 'ssh_host_ed25519_key')}`,
    'PidFile none',
    `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
    // The temp dir is not owned the way StrictModes wants for a home; the keys are ours.
    'StrictModes no',
    'PermitRootLogin prohibit-password',
    `AllowUsers ${user}`,
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'UsePAM no',
    'UseDNS no',
    'PrintMotd no',
    'PrintLastLog no',
    'X11Forwarding no',
    'AllowTcpForwarding no',
    'PermitUserEnvironment no',
    // The ssh host multiplexes all commands of a run over one connection.
    'MaxSessions 64',
    'MaxStartups 64',
    'LogLevel VERBOSE',
    `SetEnv ${setEnv.join(' ')}`,
    ...(sftp ? ['Subsystem sftp internal-sftp'] : []),
    '',
  ].join('\n');
}

/** Resolves once sshd says it listens; rejects with its log when it exits first. */
function waitListening(child: ChildProcess, port: number, output: () => string): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`sshd did not start within 10 s:\n${output()}`)), 10_000);
    const onData = () => {
      if (output().includes(`Server listening on 127.0.0.1 port ${port}.`)) done();
    };
    const onExit = () => done(new Error(`sshd exited:\n${output()}`));
    function done(error?: Error) {
      clearTimeout(timer);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
      if (error) reject(error);
      else resolve();
    }
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
    onData();
  });
}

/** Pids of the per-connection sshd processes forked by the listener. */
function childPids(parent: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === parent) pids.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}

export async function startSshd(options: SshdOptions = {}): Promise<Sshd> {
  ensureSshdInstalled();
  const user = userInfo().username;
  const dir = mkdtempSync(join(tmpdir(), 'vmbackup-sshd-'));
  const home = join(dir, 'home');
  mkdirSync(home, { mode: 0o700 });
  keygen(join(dir, 'ssh_host_ed25519_key'), 'vmbackup-test-host');
  keygen(join(dir, 'id_ed25519'), 'vmbackup-test-user');
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(dir, 'id_ed25519.pub')), { mode: 0o600 });
  // sshd refuses to start as root without its privilege separation directory.
  if (process.getuid?.() === 0) mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });

  const pathDirs = options.pathDirs ?? [join(repoRoot, 'test', 'sim', 'bin')];
  const environment = {
    HOME: home,
    PATH: [...pathDirs, dirname(process.execPath), '/usr/local/bin', '/usr/bin', '/bin', '/usr/sbin', '/sbin'].join(
      ':',
    ),
    ...options.env,
  };

  let lastError: unknown;
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    writeFileSync(join(dir, 'sshd_config'), sshdConfig(dir, port, user, environment, options.sftp ?? true));
    const child = spawn(SSHD, ['-D', '-e', '-f', join(dir, 'sshd_config')], { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      log += chunk;
    });
    try {
      await waitListening(child, port, () => log);
    } catch (error) {
      lastError = error;
      child.kill('SIGKILL');
      continue; // most likely the port was taken between freePort() and sshd's bind
    }
    const hostKey = readFileSync(join(dir, 'ssh_host_ed25519_key.pub'), 'utf8').trim();
    const knownHostsFile = join(dir, 'known_hosts');
    writeFileSync(knownHostsFile, `[127.0.0.1]:${port} ${hostKey}\n`);
    const target = `${user}@127.0.0.1:${port}`;
    const identityFile = join(dir, 'id_ed25519');
    return {
      port,
      target,
      identityFile,
      knownHostsFile,
      user,
      home,
      hostOptions: { target, identityFile, knownHostsFile, configFile: '/dev/null' },
      log: () => log,
      async stop() {
        if (child.exitCode === null && child.pid !== undefined) {
          // Open sessions live in processes forked by the listener: end them too.
          for (const pid of childPids(child.pid)) {
            try {
              process.kill(pid, 'SIGTERM');
            } catch {
              // already gone
            }
          }
          const exited = new Promise((resolve) => child.once('exit', resolve));
          child.kill('SIGTERM');
          await exited;
        }
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  rmSync(dir, { recursive: true, force: true });
  throw lastError;
}
