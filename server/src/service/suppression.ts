// The suppression comment is one rule shared with the runner (runner/src/config/suppression.ts):
// the editor silences exactly what the runner silences.
export {
  SUPPRESS_DIRECTIVE,
  isSuppressed,
  isSuppressible,
  suppressedCodes,
  suppressionEdit,
} from 'vmbackup-runner/config';
