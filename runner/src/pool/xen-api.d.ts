// Minimal typings for the parts of `xen-api@4.7.6` (Xen Orchestra's XenAPI client) we use.
declare module 'xen-api' {
  export interface XapiOptions {
    url: string;
    auth?: { user: string; password: string } | { sessionId: string };
    allowUnauthorized?: boolean;
    watchEvents?: boolean | string[];
    callTimeout?: number;
    httpInactivityTimeout?: number;
    syncStackTraces?: boolean;
  }
  export class Xapi {
    connect(): Promise<void>;
    disconnect(): Promise<void>;
    call<T = unknown>(method: string, ...args: unknown[]): Promise<T>;
    getResource(
      pathname: string,
      options: { query?: Record<string, string>; task?: boolean | string },
    ): Promise<{ statusCode: number; body: { arrayBuffer(): Promise<ArrayBuffer> } }>;
    readonly status: string;
    readonly sessionId: string;
  }
  export function createClient(options: XapiOptions): Xapi;
}
