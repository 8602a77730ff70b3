// XenAPI failures: a code plus string parameters, exactly what goes on the wire
// (JSON-RPC `error.message` + `error.data`, XML-RPC `ErrorDescription`).
export class XapiFailure extends Error {
  readonly code: string;
  readonly params: string[];
  constructor(code: string, params: readonly unknown[] = []) {
    const texts = params.map((p) => String(p));
    super(`${code}(${texts.join(', ')})`);
    this.code = code;
    this.params = texts;
  }

  get description(): string[] {
    return [this.code, ...this.params];
  }
}

export function failure(code: string, ...params: unknown[]): XapiFailure {
  return new XapiFailure(code, params);
}

/** Any thrown value as a XenAPI failure (programming errors become INTERNAL_ERROR). */
export function asFailure(error: unknown): XapiFailure {
  if (error instanceof XapiFailure) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new XapiFailure('INTERNAL_ERROR', [message]);
}
