// The command line's top level: parse, dispatch, map every failure to a clear message and
// an exit code. Nothing here may let a stack trace reach the admin.
import { VERSION } from '../version';
import { CliError, FINGERPRINT_ENV, parseArgs } from './args';
import { MODERN_HELP, usageText } from './usage';
import { createPasswordFile, resolvePassword } from './password';
import type { Io } from './output';
import { runCommand } from './run';
import { parseRestoreArgs, restoreVerb } from '../restore/args';
import { restoreCommand } from '../restore/command';
import { backupsSubcommandAt, runBackupsCommand } from './backups';

/** An argument as typed, JSON-quoted when it holds a line break or another control character. */
function printableArgument(argument: string): string {
  return /[\x00-\x1f\x7f]/.test(argument) ? JSON.stringify(argument) : argument;
}

export async function main(argv: readonly string[], io: Io, signal: AbortSignal): Promise<number> {
  let json = argv.includes('--json');
  try {
    if (backupsSubcommandAt(argv) >= 0) return await runBackupsCommand(argv, io, signal);
    const context = {
      passwordInEnvironment: Boolean(io.env.VMBACKUP_PASSWORD),
      ...(io.env[FINGERPRINT_ENV] ? { xapiFingerprintInEnvironment: io.env[FINGERPRINT_ENV] } : {}),
    };
    // `restore` / `healthcheck` as the first word (docs/cli.md, Restore: a password named so).
    if (restoreVerb(argv)) return await restoreCommand(parseRestoreArgs(argv, context), io, signal);
    const command = parseArgs(argv, context);
    switch (command.kind) {
      case 'usage':
        io.stdout.write(usageText(command.topic));
        return 1;
      case 'modern-help':
        io.stdout.write(MODERN_HELP);
        return 0;
      case 'version':
        io.stdout.write(`vmbackup ${VERSION}\n`);
        return 0;
      case 'create-password-file': {
        const { password } = await resolvePassword(command.password, io.env, io.stdin);
        createPasswordFile(command.path, password);
        io.stdout.write(`password file created: ${command.path}\n`);
        return 0;
      }
      case 'run':
        json = command.json;
        return await runCommand(command, io, signal);
    }
  } catch (error) {
    const text =
      error instanceof CliError
        ? error.message.startsWith(error.argument) || error.message.includes(error.argument)
          ? error.message
          : `${printableArgument(error.argument)}: ${error.message}`
        : `unexpected failure: ${error instanceof Error ? error.message : String(error)}`;
    if (json) {
      io.stdout.write(JSON.stringify({ type: 'error', time: new Date().toISOString(), message: text }) + '\n');
    }
    io.stderr.write(`vmbackup: ${text}\n`);
    return 2;
  }
}
