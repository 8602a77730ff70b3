// Turns a PasswordSource into the password. A password file is the original's "obscured"
// format: base64 of the password (not encryption; keep the file mode 0600).
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { CliError, type PasswordSource } from './args';
import { hideFromChildren } from '../host/process';

export interface ResolvedPassword {
  password: string;
  /** Warnings to show (e.g. the password was visible on the command line). */
  warnings: string[];
}

async function readStdinLine(stdin: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) {
    chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
    if (Buffer.concat(chunks).includes(10)) break;
  }
  const text = Buffer.concat(chunks).toString('utf8');
  const line = text.split(/\r?\n/)[0] ?? '';
  return line;
}

export function decodePasswordFile(content: string): string {
  return Buffer.from(content.trim(), 'base64').toString('utf8');
}

export async function resolvePassword(
  source: PasswordSource,
  env: NodeJS.ProcessEnv,
  stdin: NodeJS.ReadableStream,
): Promise<ResolvedPassword> {
  switch (source.kind) {
    case 'env': {
      const value = env[source.name];
      if (value === undefined || value === '') {
        throw new CliError(`--password-env=${source.name}`, `environment variable ${source.name} is not set or empty`);
      }
      hideFromChildren(source.name);
      return { password: value, warnings: [] };
    }
    case 'stdin': {
      const value = await readStdinLine(stdin);
      if (value === '') throw new CliError('--password-stdin', 'no password on standard input');
      return { password: value, warnings: [] };
    }
    case 'argument': {
      const path = source.value;
      if (existsSync(path) && statSync(path).isFile()) {
        const password = decodePasswordFile(readFileSync(path, 'utf8'));
        if (password === '') throw new CliError(path, `password file ${path} is empty`);
        return { password, warnings: [] };
      }
      return {
        password: path,
        warnings: [
          'WARNING password given on the command line (visible to other users in ps); use VMBACKUP_PASSWORD, ' +
            '--password-stdin or a password file',
        ],
      };
    }
  }
}

export function createPasswordFile(path: string, password: string): void {
  try {
    writeFileSync(path, Buffer.from(password, 'utf8').toString('base64'), { mode: 0o600 });
  } catch (err) {
    throw new CliError(`create-password-file=${path}`, `cannot write ${path}: ${(err as Error).message}`);
  }
}
