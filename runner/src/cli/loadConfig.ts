// A run's config: a .cfg file read from disk, or a vm-selector argument turned into the config
// it stands for (the original's rules). Its own module so that plan.ts and preview.ts can name
// the type without importing run.ts (which imports them).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { parseConfig, resolveSettings, type ParsedConfig, type Settings } from '../config/index';
import { selectorToConfig } from '../select/selector';
import { CliError } from './args';

export interface LoadedConfig {
  /** The config file path, or undefined for a vm-selector. */
  file?: string;
  /** Name used in diagnostics (`weekend.cfg`, or `<vm-selector>`). */
  displayName: string;
  text: string;
  parsed: ParsedConfig;
  settings: Settings;
}

export function loadConfig(target: string): LoadedConfig {
  if (existsSync(target) && statSync(target).isFile()) {
    let text: string;
    try {
      text = readFileSync(target, 'utf8');
    } catch (error) {
      throw new CliError(target, `cannot read config file: ${(error as Error).message}`);
    }
    const parsed = parseConfig(text);
    return { file: target, displayName: target, text, parsed, settings: resolveSettings(parsed) };
  }
  const selector = selectorToConfig(target);
  if (!selector.ok) throw new CliError(target, `ERROR ${selector.error}`);
  // All settings take their defaults with a vm-selector (as the original).
  return {
    displayName: '<vm-selector>',
    text: target,
    parsed: selector.config,
    settings: resolveSettings(parseConfig('')),
  };
}
