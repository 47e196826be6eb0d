// The configuration as every command starts with it (npm start, the daemon,
// the web app, mailctl): ./.env first, then the environment, validated. Bad
// settings are reported one problem per line and give null, so each entry
// point exits with its own status instead of a stack trace.
import { ConfigError, loadConfig, type Config } from './config.ts';
import { loadEnvFile } from './env-file.ts';

export interface EntryConfig {
  config: Config;
  /** The .env file that was read, or null when there is none. */
  envFile: string | null;
}

export function loadEntryConfig(report: (message: string) => void): EntryConfig | null {
  const envFile = loadEnvFile();
  try {
    return { config: loadConfig(), envFile };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    report(`the settings are wrong:\n  ${error.problems.join('\n  ')}`);
    return null;
  }
}
