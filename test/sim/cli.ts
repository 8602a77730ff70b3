// Starts the simulator from a fixture and keeps it running until SIGINT/SIGTERM.
//   node --import tsx test/sim/cli.ts --fixture test/sim/fixtures/weekend.json [--port 0]
//        [--host 127.0.0.1] [--https] [--slave-port] [--password-file FILE] [--timing realistic]
// The first line of stdout is the URL it listens on (machine-readable); the second line is the
// XE_EXTRA_ARGS value that points test/sim/bin/xe at it, without the password (add
// `,password=…`). The password comes from
// --password-file or the XAPI_SIM_PASSWORD environment variable (default "secret"), never argv.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startSimulator, type TimingProfile } from './index';

function usage(message: string): never {
  process.stderr.write(
    `${message}\nusage: cli.ts --fixture FILE [--port N] [--host 127.0.0.1] ` +
      `[--https] [--slave-port] [--password-file FILE] [--timing instant|realistic]\n`,
  );
  process.exit(2);
}

let values;
try {
  ({ values } = parseArgs({
    options: {
      fixture: { type: 'string' },
      port: { type: 'string', default: '0' },
      host: { type: 'string', default: '127.0.0.1' },
      https: { type: 'boolean', default: false },
      'slave-port': { type: 'boolean', default: false },
      'password-file': { type: 'string' },
      timing: { type: 'string' },
    },
    strict: true,
  }));
} catch (error) {
  usage((error as Error).message);
}
if (!values.fixture) usage('--fixture is required');
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) usage(`--port: not a port number: ${values.port}`);
let password = process.env.XAPI_SIM_PASSWORD ?? 'secret';
if (values['password-file']) {
  try {
    password = readFileSync(values['password-file'], 'utf8').split('\n')[0];
  } catch (error) {
    usage(`--password-file: ${(error as Error).message}`);
  }
}

try {
  const sim = await startSimulator({
    fixture: values.fixture,
    port,
    host: values.host,
    https: values.https,
    slavePort: values['slave-port'],
    password,
    ...(values.timing ? { timing: values.timing as TimingProfile } : {}),
  });
  const xeArgs = sim
    .xeEnv()
    .XE_EXTRA_ARGS.split(',')
    .filter((a) => !a.startsWith('password='));
  process.stdout.write(`${sim.url}\n${xeArgs.join(',')}\n`);
  if (sim.certificateFingerprint) process.stdout.write(`certificate sha256 ${sim.certificateFingerprint}\n`);
  // Every host has its own certificate: the lines of a pool trust file (--xapi-trust-file).
  for (const [name, fingerprint] of Object.entries(sim.hostFingerprints)) {
    process.stdout.write(`trust ${new URL(sim.hostUrls[name]!).hostname} ${fingerprint}\n`);
  }
  const stop = () => void sim.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
} catch (error) {
  process.stderr.write(`xapi simulator: ${(error as Error).message}\n`);
  process.exit(1);
}
