// The end-of-run e-mail, as VmBackup.py sends it: subject `Success|WARNING|ERROR <host>
// VmBackup.py` (monitoring filters on it), the status log as the body, three tries. SMTP is
// nodemailer's; we only map the config keys (mail_to, mail_from, smtp_server,
// smtp_starttls, smtp_user, smtp_password_file) onto it. The password is read from its
// file when the mail is sent and is never logged: every message we produce is scrubbed.
//
// TLS: with smtp_starttls=1 the connection MUST be upgraded before AUTH (requireTLS) and
// the server certificate is verified against the system CAs (an internal CA can be added
// with NODE_EXTRA_CA_CERTS). Port 465 means TLS from the first byte. With smtp_starttls=0
// the mail goes in plain text, as the original's did (its default).

import { readFile } from 'node:fs/promises';
import { hostname as osHostname } from 'node:os';
import nodemailer from 'nodemailer';
import type { Outcome } from '../backup/events';
import type { Settings } from '../config/types';

/** The mail part of the effective settings (one definition: runner/src/config Settings). */
export type MailSettings = Pick<
  Settings,
  'mailTo' | 'mailFrom' | 'smtpHost' | 'smtpPort' | 'smtpStarttls' | 'smtpUser' | 'smtpPasswordFile'
>;

export interface RunMail {
  outcome: Outcome;
  /** Host name for the subject (the original uses the short host name). */
  hostname: string;
  /** The mail text: the run's status log / summary. */
  body: string;
}

export interface MailOptions {
  /** Progress and failures, for the run log (never contains the password). */
  log?: (message: string) => void;
  /** Waits between the three tries (default 5 s, then 15 s). */
  retryDelaysMs?: number[];
  /** Extra CA certificates to trust for the SMTP server (PEM). */
  tlsCa?: string | Buffer;
  /** Per-attempt connection / greeting / socket timeout (default 30 s). */
  timeoutMs?: number;
}

export interface MailResult {
  sent: boolean;
  attempts: number;
  /** Why the last attempt failed (scrubbed of the password). */
  error?: string;
  messageId?: string;
}

const SUBJECT_WORD: Record<Outcome, string> = { success: 'Success', warning: 'WARNING', error: 'ERROR' };

/** `Success|WARNING|ERROR <hostname> VmBackup.py`, exactly as the original. */
export function mailSubject(outcome: Outcome, hostname: string): string {
  return `${SUBJECT_WORD[outcome]} ${hostname} VmBackup.py`;
}

/** True when the settings ask for a mail (mail_to set). */
export function mailConfigured(settings: MailSettings): boolean {
  return (settings.mailTo ?? '').trim() !== '';
}

export function parseRecipients(mailTo: string): string[] {
  return mailTo
    .split(/[,;]/)
    .map((address) => address.trim())
    .filter((address) => address !== '');
}

async function readPassword(file: string): Promise<string> {
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new Error(`cannot read smtp_password_file ${file}: ${error.code ?? error.message}`);
  });
  // One line; a trailing newline from `echo secret > file` is not part of the password.
  return text.replace(/\r?\n$/, '');
}

function scrub(text: string, secret: string | undefined): string {
  if (!secret) return text;
  let result = text.replaceAll(secret, '********');
  // AUTH PLAIN / LOGIN carry the password base64-encoded: hide those forms too.
  for (const encoded of [Buffer.from(secret).toString('base64')]) result = result.replaceAll(encoded, '********');
  return result;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Send the run mail; never throws — a failed mail is reported in the result. */
export async function sendRunMail(
  settings: MailSettings,
  mail: RunMail,
  options: MailOptions = {},
): Promise<MailResult> {
  const log = options.log ?? (() => undefined);
  const recipients = parseRecipients(settings.mailTo ?? '');
  if (recipients.length === 0) return { sent: false, attempts: 0, error: 'mail_to is not set' };
  if (settings.smtpUser && !settings.smtpPasswordFile) {
    return { sent: false, attempts: 0, error: 'smtp_user is set but smtp_password_file is not' };
  }

  let password: string | undefined;
  try {
    password = settings.smtpPasswordFile ? await readPassword(settings.smtpPasswordFile) : undefined;
  } catch (error) {
    return { sent: false, attempts: 0, error: (error as Error).message };
  }

  const host = settings.smtpHost ?? 'localhost';
  const port = settings.smtpPort ?? 25;
  const timeout = options.timeoutMs ?? 30_000;
  const transport = nodemailer.createTransport({
    host,
    port,
    secure: port === 465,
    requireTLS: settings.smtpStarttls,
    ignoreTLS: !settings.smtpStarttls && port !== 465,
    ...(settings.smtpUser ? { auth: { user: settings.smtpUser, pass: password ?? '' } } : {}),
    ...(options.tlsCa ? { tls: { ca: options.tlsCa } } : {}),
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
    logger: false,
    debug: false,
  });

  const message = {
    from: settings.mailFrom?.trim() || `vmbackup@${osHostname()}`,
    to: recipients,
    subject: mailSubject(mail.outcome, mail.hostname),
    text: mail.body,
  };
  const delays = options.retryDelaysMs ?? [5_000, 15_000];
  let lastError = '';
  try {
    for (let attempt = 1; attempt <= 3; attempt++) {
      try {
        const info = await transport.sendMail(message);
        log(`mail sent to ${recipients.join(', ')} via ${host}:${port}`);
        return { sent: true, attempts: attempt, messageId: info.messageId };
      } catch (error) {
        lastError = scrub(error instanceof Error ? error.message : String(error), password);
        const retry = attempt < 3;
        log(
          `mail to ${recipients.join(', ')} via ${host}:${port}: attempt ${attempt} of 3 failed: ${lastError}` +
            `${retry ? ', retrying' : ''}`,
        );
        if (retry) await sleep(delays[attempt - 1] ?? delays[delays.length - 1] ?? 0);
      }
    }
  } finally {
    transport.close();
  }
  return { sent: false, attempts: 3, error: lastError };
}
