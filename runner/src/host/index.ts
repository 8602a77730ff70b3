// Where commands run and where backup files live: the public API of runner/src/host.
export type { CommandResult, FileInfo, Host, HostLock, NameRules, RunOptions } from './types';
export { HostError, isHostError, type HostErrorCode } from './errors';
export { createLocalHost, type LocalHostOptions, type LocalMachine, type XeConnection } from './local';
export { createSshHost, parseSshTarget, type SshHost, type SshHostOptions } from './ssh';
export { sshMultiplexing } from './ssh-options';
export { quoteForPosixShell, posixCommandLine } from './quote';
export { createXapiHost, type XapiHostOptions } from './xapi';
