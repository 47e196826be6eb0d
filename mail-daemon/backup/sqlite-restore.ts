// `mailctl restore` on SQLite. The backup is checked (backup-inspection.ts),
// copied next to the live database, brought up to date with the pending
// migrations, synced, and renamed over the live file in one step. The live
// file is kept under a second name (a hard link, so it costs no space and
// nothing is lost if the backup was the wrong one).
import { existsSync, linkSync, rmSync } from 'node:fs';
import BetterSqlite3 from 'better-sqlite3';
import { applyMigrations } from '../../prisma/migrate.ts';
import { ValidationError } from '../errors/validation-error.ts';
import { createPartialFile, publishFile } from './backup-file.ts';
import { inspectSqliteBackup } from './backup-inspection.ts';
import { vacuumInto } from './sqlite-backup.ts';

export interface RestoreSummary {
  messages: number;
  /** Migrations applied because the backup was older than this version. */
  migrated: string[];
  /** The name the replaced database is kept under, if there was one. */
  previous: string | null;
  /** Set when --force restored under a process that had the database open. */
  warning: string | null;
}

const IN_USE_CONSEQUENCE =
  'the running processes keep using the old database, now kept under a second name, and what they accept until you restart them is not in the restored one';

/**
 * Whether another process has the database open, and if not, readies it to
 * be replaced. Leaving WAL mode needs every other connection closed (each
 * holds a shared lock on the -shm file for as long as it is open, the
 * daemon's and the web app's too), and doing so checkpoints the WAL into the
 * file, so no committed write is left only in a -wal file about to be removed.
 */
function openElsewhere(path: string): boolean {
  const db = new BetterSqlite3(path, { fileMustExist: true, timeout: 0 });
  try {
    db.pragma('journal_mode = DELETE');
    return false;
  } catch (error) {
    if ((error as { code?: string }).code !== 'SQLITE_BUSY') throw error;
    return true;
  } finally {
    db.close();
  }
}

export async function restoreSqlite(databasePath: string, source: string, force: boolean): Promise<RestoreSummary> {
  const { messages } = inspectSqliteBackup(source);
  const partial = createPartialFile(databasePath);
  try {
    // A fresh copy in one file, whatever journal mode or -wal the backup had.
    vacuumInto(source, partial);
    const migrated = await applyMigrations(`file:${partial}`);
    const live = existsSync(databasePath);
    const inUse = live && openElsewhere(databasePath);
    if (inUse && !force) {
      throw new ValidationError('database', `${databasePath} is open in another process (the mail daemon or the web app): stop them first. --force restores anyway, but ${IN_USE_CONSEQUENCE}.`);
    }
    let previous: string | null = null;
    if (live) {
      previous = `${databasePath}.before-restore-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      linkSync(databasePath, previous);
    }
    // A -wal left beside the new file would be replayed into it: SQLite does not check that a WAL belongs to its database.
    for (const stale of [`${databasePath}-wal`, `${databasePath}-shm`]) rmSync(stale, { force: true });
    publishFile(partial, databasePath, true);
    return { messages, migrated, previous, warning: inUse ? `restored under running processes (--force): ${IN_USE_CONSEQUENCE}. Restart the mail daemon and the web app now.` : null };
  } finally {
    for (const file of [partial, `${partial}-wal`, `${partial}-shm`]) rmSync(file, { force: true });
  }
}
