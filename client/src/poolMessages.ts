// What a failed pool connection means, in words an admin can act on. The runner and the
// language server report xen-api's own errors ("connect ECONNREFUSED …", "authentication
// failed"); these functions tell a refused connection from a rejected password and check the
// pool URL setting before anything tries to use it. Pure (no `vscode` import): unit-tested.

/** The runner's ("authentication failed") and the language server's ("rejected the user name or password") wording. */
const AUTHENTICATION_FAILURE =
  /authentication failed|rejected the user name or password|SESSION_AUTHENTICATION_FAILED/i;

export function isAuthenticationFailure(text: string): boolean {
  return AUTHENTICATION_FAILURE.test(text);
}

/** Network errors that mean "never reached XAPI", so the password was not even tried. */
const UNREACHABLE: ReadonlyArray<[RegExp, string]> = [
  [/ECONNREFUSED/, 'the connection was refused (nothing listens at that address and port; is XAPI running there?)'],
  [/ENOTFOUND|EAI_AGAIN/, 'the host name was not found (check the address in vmbackup.pool.url)'],
  [
    /ETIMEDOUT|ECONNRESET|EHOSTUNREACH|ENETUNREACH|timed? ?out/i,
    'the pool master did not answer (network or firewall)',
  ],
];

/**
 * A connection failure reworded when it is a network problem: "cannot log in to XenAPI at
 * URL: connect ECONNREFUSED …" is not a login failure. Undefined when `text` is no such error.
 */
export function explainUnreachable(text: string, url: string): string | undefined {
  for (const [pattern, reason] of UNREACHABLE) {
    if (pattern.test(text)) return `Cannot reach the pool at ${url || 'the local host'}: ${reason}.`;
  }
  return undefined;
}

/**
 * Why `vmbackup.pool.url` cannot be used, or undefined when it can (empty = the local host).
 * A URL without `https://` reaches the TLS layer as a bare host name and fails with OpenSSL's
 * own text; it is refused here with a sentence instead.
 */
export function poolUrlProblem(url: string): string | undefined {
  const value = url.trim();
  if (value === '') return undefined;
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    const fixed = `https://${value.replace(/^\/+/, '')}`;
    return `vmbackup.pool.url "${value}" has no scheme: write ${fixed} (or http:// for a pool without TLS).`;
  }
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    return `vmbackup.pool.url "${value}" is not a URL (e.g. https://xen1.example.org).`;
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    return `vmbackup.pool.url "${value}" must start with https:// (or http://), not ${parsed.protocol}//.`;
  }
  if (parsed.hostname === '') return `vmbackup.pool.url "${value}" names no host (e.g. https://xen1.example.org).`;
  return undefined;
}

/** The language server's answer to a new password, as the user is told about it. */
export type PasswordCheck =
  | { outcome: 'accepted'; message: string }
  | { outcome: 'rejected'; message: string }
  | { outcome: 'unchecked'; message: string };

/**
 * Reads the pool status the language server returns after `vmbackup/setPoolPassword` (it logs
 * in with the new password before it answers).
 */
export function judgePasswordCheck(
  status: { state: string; message: string; url: string },
  pool: { url: string; user: string },
): PasswordCheck {
  const who = `${pool.user} at ${pool.url || 'the local host'}`;
  if (!pool.url) {
    return {
      outcome: 'unchecked',
      message:
        `Password for ${who} stored; the runner checks it on its next run ` +
        '(no vmbackup.pool.url to log in to now).',
    };
  }
  if (status.state === 'connected') return { outcome: 'accepted', message: `Password accepted: ${status.message}` };
  if (isAuthenticationFailure(status.message))
    return { outcome: 'rejected', message: `The pool rejected the password for ${who}.` };
  const reason = explainUnreachable(status.message, pool.url) ?? status.message;
  return { outcome: 'unchecked', message: `Password for ${who} stored, but not checked: ${reason}` };
}
