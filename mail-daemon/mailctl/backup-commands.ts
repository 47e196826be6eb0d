// `mailctl backup` and `mailctl restore`: they work on the database file (or
// through pg_dump), not through the mail store, so main.ts runs them before
// it opens one. A restore must not have the database open itself.
import { resolve } from 'node:path';
import type { Config } from '../config/config.ts';
import { engineOf, sqlitePath } from '../../prisma/database.ts';
import { makePrivateDirectory } from '../../prisma/sqlite-file.ts';
import { ValidationError } from '../errors/validation-error.ts';
import { backupSqlite } from '../backup/sqlite-backup.ts';
import { backupPostgres, pgRestoreCommands } from '../backup/postgres-backup.ts';
import { restoreSqlite } from '../backup/sqlite-restore.ts';
import { formatMegabytes } from '../config/byte-size.ts';
import { parseArgs, UsageError } from './arguments.ts';

/** The output of a backup or restore command, or null for any other command. */
export async function runBackupCommand(config: Config, argv: string[]): Promise<string | null> {
  const [command, ...rest] = argv;
  if (command !== 'backup' && command !== 'restore') return null;
  const { positional, options } = parseArgs(rest);
  if (positional.length !== 1 || [...options.keys()].some((name) => name !== '--force')) throw new UsageError(`expected ${command} <file> [--force]`);
  const file = resolve(positional[0]);
  const force = options.has('--force');
  const url = config.databaseUrl;
  const sqlite = engineOf(url) === 'sqlite';
  if (command === 'backup') {
    const backup = sqlite ? backupSqlite(sqlitePath(url), file, force) : await backupPostgres(url, file, force);
    return `wrote ${backup.path}: ${formatMegabytes(backup.bytes)}, ${backup.messages} messages`;
  }
  if (!sqlite) {
    const { commands, restoredUrl } = pgRestoreCommands(url, file);
    throw new ValidationError(
      'restore',
      `on PostgreSQL, restore the pg_dump file into a new, empty database (the current one stays as it is):\n${commands.map((c) => `  ${c}\n`).join('')}` +
        `then stop every mail daemon and web app, set DATABASE_URL to ${restoredUrl} (with its password), and start them again (newer migrations are applied at start)`,
    );
  }
  // As the daemon does at start: DATA_DIR is the owner's alone.
  makePrivateDirectory(config.dataDir);
  const restored = await restoreSqlite(sqlitePath(url), file, force);
  return [
    `restored ${sqlitePath(url)} from ${file}: ${restored.messages} messages`,
    restored.migrated.length > 0 ? `applied migrations the backup lacked: ${restored.migrated.join(', ')}` : '',
    restored.previous ? `the database it replaced is kept as ${restored.previous}` : '',
    restored.warning ?? '',
  ].filter(Boolean).join('\n');
}
