// --transport xe|ssh|xapi (issue 14): today's choices map onto xe (local xe, also with --xapi)
// and ssh (--ssh); xapi runs every pool step through XenAPI alone. Combinations that cannot
// work are CLI errors naming the argument.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseArgs, CliError, type RunCommand } from '../../runner/src/cli/args';

const noEnv = { passwordInEnvironment: false };
const run = (argv: string[]) => parseArgs(argv, noEnv) as RunCommand;

test("without --transport: xe, or ssh when --ssh is given (today's choices)", () => {
  assert.equal(run(['pw', 'x']).transport.kind, 'xe');
  assert.equal(run(['--xapi', 'https://pool/', 'pw', 'x']).transport.kind, 'xe');
  assert.equal(run(['--ssh', 'root@h', 'pw', 'x']).transport.kind, 'ssh');
});

test('--transport xapi needs --xapi and takes no xe or ssh options', () => {
  const cmd = run(['--transport', 'xapi', '--xapi', 'https://pool-master/', 'pw', 'x']);
  assert.equal(cmd.transport.kind, 'xapi');
  assert.equal(cmd.transport.xapi, 'https://pool-master/');
  assert.equal(run(['--transport=xe', 'pw', 'x']).transport.kind, 'xe');
  assert.equal(run(['--transport=ssh', '--ssh=root@h', 'pw', 'x']).transport.kind, 'ssh');
  const cases: [string[], string, RegExp][] = [
    [['--transport', 'xapi', 'pw', 'x'], '--transport=xapi', /--transport xapi needs --xapi https:\/\/pool-master\//],
    [
      ['--transport', 'xapi', '--xapi', 'https://p/', '--ssh', 'root@h', 'pw', 'x'],
      '--ssh=root@h',
      /--ssh cannot be combined with --transport xapi/,
    ],
    [
      ['--transport', 'xapi', '--xapi', 'https://p/', '--xe', '/usr/bin/xe', 'pw', 'x'],
      '--xe=/usr/bin/xe',
      /--xe cannot be combined with --transport xapi \(no xe is run\)/,
    ],
    [['--transport', 'ssh', 'pw', 'x'], '--transport=ssh', /--transport ssh needs --ssh user@host/],
    [
      ['--transport', 'xe', '--ssh', 'root@h', 'pw', 'x'],
      '--ssh=root@h',
      /--ssh cannot be combined with --transport xe/,
    ],
    [['--transport', 'sftp', 'pw', 'x'], '--transport=sftp', /--transport sftp: expected xe, ssh or xapi/],
  ];
  for (const [argv, argument, message] of cases) {
    assert.throws(
      () => parseArgs(argv, noEnv),
      (e: unknown) => e instanceof CliError && e.argument === argument && message.test(e.message),
      argv.join(' '),
    );
  }
});
