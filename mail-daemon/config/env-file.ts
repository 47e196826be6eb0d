// The .env file of the working directory (the project root under `npm run`),
// read by every command (npm start, the daemon, the web app, mailctl) before
// the configuration, as Next.js reads it: a variable already set in the
// environment wins over the file. Without this, `mailctl` run without
// DATA_DIR opened a new ./data/mail.db beside a platform configured in .env.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/** Loads ./.env into process.env (once); returns its path, or null when there is none. */
export function loadEnvFile(): string | null {
  const path = resolve('.env');
  if (!existsSync(path)) return null;
  process.loadEnvFile(path);
  return path;
}
