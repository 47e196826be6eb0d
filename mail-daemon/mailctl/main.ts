// mailctl: the admin command line, `npm run mailctl -- <command>`. It calls
// the same domain functions as the web app, so both apply the same rules.
// Bad input prints one clear line on stderr and exits with status 1 (2 for
// usage errors).
import { existsSync } from 'node:fs';
import { loadEntryConfig } from '../config/entry-config.ts';
import { engineOf, sqlitePath } from '../../prisma/database.ts';
import { getMailStore, closeMailStore } from '../store/context.ts';
import { ValidationError } from '../errors/validation-error.ts';
import { StoreError } from '../store/errors.ts';
import { runCommand, UsageError, USAGE } from './commands.ts';
import { runBackupCommand } from './backup-commands.ts';

/** The exit status for a refused command, after saying why; anything else is a bug and is thrown. */
function reportError(error: unknown): number {
  if (error instanceof UsageError) {
    process.stderr.write(`mailctl: ${error.message}\n\n${USAGE}`);
    return 2;
  }
  if (error instanceof ValidationError || error instanceof StoreError) {
    process.stderr.write(`mailctl: ${error.message}\n`);
    return 1;
  }
  throw error;
}

async function main(argv: string[]): Promise<number> {
  if (argv.length === 0 || argv[0] === 'help' || argv[0] === '--help' || argv[0] === '-h') {
    process.stdout.write(USAGE);
    return argv.length === 0 ? 2 : 0;
  }
  const entry = loadEntryConfig((m) => process.stderr.write(`mailctl: ${m}\n`));
  if (!entry) return 1;
  const { config } = entry;
  process.env.DATABASE_URL = config.databaseUrl;
  try {
    const output = await runBackupCommand(config, argv);
    if (output !== null) {
      process.stdout.write(`${output}\n`);
      return 0;
    }
  } catch (error) {
    return reportError(error);
  }
  // A new database here usually means DATA_DIR or DATABASE_URL is not the
  // platform's: say which one was made, so "no domains yet" is not a puzzle.
  if (engineOf(config.databaseUrl) === 'sqlite' && !existsSync(sqlitePath(config.databaseUrl))) {
    process.stderr.write(`mailctl: no database at ${sqlitePath(config.databaseUrl)}: created a new, empty one (set DATA_DIR or DATABASE_URL, or put them in .env, to use the platform's)
`);
  }
  const store = await getMailStore();
  try {
    const output = await runCommand(store, config, argv);
    if (output) process.stdout.write(output.endsWith('\n') ? output : `${output}\n`);
    return 0;
  } catch (error) {
    return reportError(error);
  } finally {
    await closeMailStore(store);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`mailctl: ${error?.stack ?? error}\n`);
    process.exit(1);
  },
);
