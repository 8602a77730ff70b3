// Replaced at bundle time by esbuild (`define`); falls back to the package version under tsx.
declare const __VMBACKUP_VERSION__: string | undefined;

export const VERSION: string = typeof __VMBACKUP_VERSION__ === 'string' ? __VMBACKUP_VERSION__ : '0.0.0-dev';
