// Public entry points of the Python `re` engine. Everything that validates or matches a
// VmBackup regex goes through here (see api.ts for the pinned result shapes).
export type { PyreCompileResult, PyreError, PyreErrorDetail } from './api';
export type { PyreAst, PyreNode, SetItem, FlagSet } from './ast';
export { compilePython, parsePython, pyMatch, type PyreParseResult } from './engine';
export { explainPattern } from './explain';
export { literalPrefix } from './prefix';
export { python2Differences, python2MeaningDifferences } from './python2';
