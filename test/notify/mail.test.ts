// The run mail against a real SMTP server (smtp-server) listening on 127.0.0.1, with
// STARTTLS on a freshly generated self-signed certificate and AUTH PLAIN / LOGIN.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer, type SMTPServerOptions, type SMTPServerSession } from 'smtp-server';
import {
  mailConfigured,
  mailSubject,
  parseRecipients,
  sendRunMail,
  type MailSettings,
} from '../../runner/src/notify/mail';

const PASSWORD = 'p@ss w0rd "with" $(stuff)';
let dir: string;
let cert: string;
let key: string;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'vmbackup-mail-'));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
    ],
    { stdio: 'ignore' },
  );
  cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
  key = readFileSync(join(dir, 'key.pem'), 'utf8');
  writeFileSync(join(dir, 'smtp-password'), `${PASSWORD}\n`, { mode: 0o600 });
});
after(() => rmSync(dir, { recursive: true, force: true }));

interface Received {
  raw: string;
  from: string;
  to: string[];
  secure: boolean;
  user?: string;
  authMethod?: string;
}

/** A real SMTP server on a random port; `failures` first transactions get a 451. */
async function startSmtp(options: Partial<SMTPServerOptions> & { failures?: number } = {}) {
  const received: Received[] = [];
  const authAttempts: Array<{ method: string; user?: string }> = [];
  let failuresLeft = options.failures ?? 0;
  const server = new SMTPServer({
    key,
    cert,
    authOptional: true,
    disabledCommands: [],
    logger: false,
    onAuth(auth, _session, callback) {
      authAttempts.push({ method: auth.method, user: auth.username });
      if (auth.username === 'backup' && auth.password === PASSWORD) callback(null, { user: auth.username });
      else callback(new Error('Invalid username or password'));
    },
    onData(stream, session: SMTPServerSession, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if (failuresLeft > 0) {
          failuresLeft--;
          const error = new Error('try again later') as Error & { responseCode: number };
          error.responseCode = 451;
          callback(error);
          return;
        }
        received.push({
          raw: Buffer.concat(chunks).toString('utf8'),
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
          secure: session.secure,
          user: session.user as string | undefined,
          authMethod: authAttempts.at(-1)?.method,
        });
        callback();
      });
    },
    ...options,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    port,
    received,
    authAttempts,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const body = [
  '2016/01/29 10:33:49,vmbackup.py,xen01,begin',
  '2016/01/29 10:40:02,vm-export,xen01,end,SUCCESS web01,elapse:6 size:2G',
  '2016/01/29 10:40:03,vmbackup.py,xen01,end,SUCCESS,S:1 W:0 E:0',
  '',
].join('\n');

function header(raw: string, name: string): string | undefined {
  const match = new RegExp(`^${name}: (.*)$`, 'mi').exec(raw);
  return match?.[1]?.trim();
}

function bodyOf(raw: string): string {
  return raw.slice(raw.indexOf('\r\n\r\n') + 4).replace(/\r\n/g, '\n');
}

test('subject and recipients follow the original', () => {
  assert.equal(mailSubject('success', 'xen01'), 'Success xen01 VmBackup.py');
  assert.equal(mailSubject('warning', 'xen01'), 'WARNING xen01 VmBackup.py');
  assert.equal(mailSubject('error', 'xen01'), 'ERROR xen01 VmBackup.py');
  assert.deepEqual(parseRecipients(' a@example.com, b@example.com;c@example.com ,'), [
    'a@example.com',
    'b@example.com',
    'c@example.com',
  ]);
  assert.equal(mailConfigured({ smtpStarttls: false }), false);
  assert.equal(mailConfigured({ smtpStarttls: false, mailTo: 'a@example.com' }), true);
});

test('STARTTLS + AUTH: the message arrives over TLS with headers and the status log as body', async () => {
  const smtp = await startSmtp({ authOptional: false });
  const logs: string[] = [];
  try {
    const settings: MailSettings = {
      mailTo: 'admins@example.com, oncall@example.com',
      mailFrom: 'vmbackup@xen01.example.com',
      smtpHost: '127.0.0.1',
      smtpPort: smtp.port,
      smtpStarttls: true,
      smtpUser: 'backup',
      smtpPasswordFile: join(dir, 'smtp-password'),
    };
    const result = await sendRunMail(
      settings,
      { outcome: 'success', hostname: 'xen01', body },
      { tlsCa: cert, log: (m) => logs.push(m) },
    );
    assert.equal(result.sent, true, result.error);
    assert.equal(result.attempts, 1);
    assert.equal(smtp.received.length, 1);
    const mail = smtp.received[0]!;
    assert.equal(mail.secure, true);
    assert.equal(mail.user, 'backup');
    assert.equal(mail.from, 'vmbackup@xen01.example.com');
    assert.deepEqual(mail.to, ['admins@example.com', 'oncall@example.com']);
    assert.equal(header(mail.raw, 'Subject'), 'Success xen01 VmBackup.py');
    assert.equal(header(mail.raw, 'From'), 'vmbackup@xen01.example.com');
    assert.equal(header(mail.raw, 'To'), 'admins@example.com, oncall@example.com');
    assert.equal(bodyOf(mail.raw), body);
    assert.ok(logs.some((line) => line.includes('mail sent to admins@example.com, oncall@example.com')));
    assert.ok(!logs.join('\n').includes(PASSWORD));
  } finally {
    await smtp.stop();
  }
});

test('AUTH LOGIN works too', async () => {
  const smtp = await startSmtp({ authOptional: false, authMethods: ['LOGIN'] });
  try {
    const result = await sendRunMail(
      {
        mailTo: 'a@example.com',
        smtpHost: '127.0.0.1',
        smtpPort: smtp.port,
        smtpStarttls: true,
        smtpUser: 'backup',
        smtpPasswordFile: join(dir, 'smtp-password'),
      },
      { outcome: 'warning', hostname: 'xen02', body },
      { tlsCa: cert },
    );
    assert.equal(result.sent, true, result.error);
    assert.equal(smtp.received[0]?.authMethod, 'LOGIN');
    assert.equal(header(smtp.received[0]!.raw, 'Subject'), 'WARNING xen02 VmBackup.py');
  } finally {
    await smtp.stop();
  }
});

test('plain SMTP without TLS or login, default sender', async () => {
  const smtp = await startSmtp();
  try {
    const result = await sendRunMail(
      { mailTo: 'a@example.com', smtpHost: '127.0.0.1', smtpPort: smtp.port, smtpStarttls: false },
      { outcome: 'error', hostname: 'xen03', body },
    );
    assert.equal(result.sent, true, result.error);
    const mail = smtp.received[0]!;
    assert.equal(mail.secure, false);
    assert.match(mail.from, /^vmbackup@/);
    assert.equal(header(mail.raw, 'Subject'), 'ERROR xen03 VmBackup.py');
  } finally {
    await smtp.stop();
  }
});

test('a temporary failure is retried: third try delivers', async () => {
  const smtp = await startSmtp({ failures: 2 });
  const logs: string[] = [];
  try {
    const result = await sendRunMail(
      { mailTo: 'a@example.com', smtpHost: '127.0.0.1', smtpPort: smtp.port, smtpStarttls: false },
      { outcome: 'success', hostname: 'xen01', body },
      { retryDelaysMs: [10, 10], log: (m) => logs.push(m) },
    );
    assert.deepEqual([result.sent, result.attempts], [true, 3]);
    assert.equal(smtp.received.length, 1);
    assert.equal(logs.filter((line) => /attempt \d of 3 failed/.test(line)).length, 2);
  } finally {
    await smtp.stop();
  }
});

test('three failures: not sent, the reason reported, the password nowhere', async () => {
  const smtp = await startSmtp({ authOptional: false });
  const wrong = join(dir, 'wrong-password');
  writeFileSync(wrong, 'not-the-password-123\n');
  const logs: string[] = [];
  try {
    const result = await sendRunMail(
      {
        mailTo: 'a@example.com',
        smtpHost: '127.0.0.1',
        smtpPort: smtp.port,
        smtpStarttls: true,
        smtpUser: 'backup',
        smtpPasswordFile: wrong,
      },
      { outcome: 'success', hostname: 'xen01', body },
      { tlsCa: cert, retryDelaysMs: [1, 1], log: (m) => logs.push(m) },
    );
    assert.deepEqual([result.sent, result.attempts], [false, 3]);
    assert.match(result.error ?? '', /Invalid username or password/);
    assert.equal(smtp.authAttempts.length, 3);
    const everything = `${logs.join('\n')}\n${result.error}`;
    assert.ok(!everything.includes('not-the-password-123'));
    assert.ok(!everything.includes(Buffer.from('not-the-password-123').toString('base64')));
    assert.equal(smtp.received.length, 0);
  } finally {
    await smtp.stop();
  }
});

test('STARTTLS required but not supported by the server: no login in clear text', async () => {
  const smtp = await startSmtp({ disabledCommands: ['STARTTLS'], authOptional: false, allowInsecureAuth: true });
  try {
    const result = await sendRunMail(
      {
        mailTo: 'a@example.com',
        smtpHost: '127.0.0.1',
        smtpPort: smtp.port,
        smtpStarttls: true,
        smtpUser: 'backup',
        smtpPasswordFile: join(dir, 'smtp-password'),
      },
      { outcome: 'success', hostname: 'xen01', body },
      { tlsCa: cert, retryDelaysMs: [1, 1] },
    );
    assert.equal(result.sent, false);
    assert.equal(smtp.authAttempts.length, 0);
    assert.match(result.error ?? '', /STARTTLS/i);
  } finally {
    await smtp.stop();
  }
});

test('an untrusted certificate is refused', async () => {
  const smtp = await startSmtp({ authOptional: false });
  try {
    const result = await sendRunMail(
      {
        mailTo: 'a@example.com',
        smtpHost: '127.0.0.1',
        smtpPort: smtp.port,
        smtpStarttls: true,
        smtpUser: 'backup',
        smtpPasswordFile: join(dir, 'smtp-password'),
      },
      { outcome: 'success', hostname: 'xen01', body },
      { retryDelaysMs: [1, 1] },
    );
    assert.equal(result.sent, false);
    assert.match(result.error ?? '', /certificate/i);
    assert.equal(smtp.authAttempts.length, 0);
  } finally {
    await smtp.stop();
  }
});

test('configuration mistakes are reported without trying to send', async () => {
  const missing = await sendRunMail(
    {
      mailTo: 'a@example.com',
      smtpHost: '127.0.0.1',
      smtpPort: 1,
      smtpStarttls: false,
      smtpUser: 'u',
      smtpPasswordFile: join(dir, 'missing'),
    },
    { outcome: 'success', hostname: 'h', body },
  );
  assert.deepEqual([missing.sent, missing.attempts], [false, 0]);
  assert.match(missing.error ?? '', /smtp_password_file .*missing: ENOENT/);
  const noFile = await sendRunMail(
    { mailTo: 'a@example.com', smtpStarttls: false, smtpUser: 'u' },
    { outcome: 'success', hostname: 'h', body },
  );
  assert.match(noFile.error ?? '', /smtp_password_file/);
  const noRecipient = await sendRunMail({ smtpStarttls: false }, { outcome: 'success', hostname: 'h', body });
  assert.deepEqual([noRecipient.sent, noRecipient.error], [false, 'mail_to is not set']);
});
