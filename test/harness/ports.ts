// Ports for servers a test starts as child processes (sshd, code-server), which bind the port
// themselves. A port found free can be taken by another process before the child binds it:
// that race cannot be closed from outside, so a start goes through withFreePort, which tries
// again on a new port when the child could not start on the one it was given.
import { createServer } from 'node:net';

/** A TCP port on 127.0.0.1 that nothing listened on a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Runs `start` with a free port; when it fails (most likely the port was taken between the
 * check and the child's bind), runs it again with another port, `attempts` times in all.
 */
export async function withFreePort<T>(start: (port: number) => Promise<T>, attempts = 5): Promise<T> {
  let lastError: unknown;
  for (let attempt = 0; attempt < attempts; attempt++) {
    try {
      return await start(await freePort());
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}
