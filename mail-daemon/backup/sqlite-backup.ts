// `mailctl backup` on SQLite: VACUUM INTO copies the database inside one read
// transaction, so the copy holds exactly the commits before it began, while
// the daemon goes on writing (WAL lets writers proceed beside a reader). The
// online backup API would restart on every write by another process and may
// never finish under steady mail. Message bodies live in the database
// (MessageContent.raw), so this one file is the whole mail store.
import { existsSync, rmSync, statSync } from 'node:fs';
import BetterSqlite3 from 'better-sqlite3';
import { ValidationError } from '../errors/validation-error.ts';
import { createPartialFile, publishFile, refuseOverwrite } from './backup-file.ts';
import { inspectSqliteBackup } from './backup-inspection.ts';

export interface BackupSummary {
  path: string;
  bytes: number;
  messages: number;
}

// A writer holding the lock makes VACUUM INTO wait this long to begin.
const BUSY_TIMEOUT_MS = 15_000;

/**
 * Copies the database at `source` into the empty file `target` as one
 * compact file in rollback-journal mode, whatever -wal it has beside it.
 */
export function vacuumInto(source: string, target: string): void {
  const db = new BetterSqlite3(source, { fileMustExist: true, timeout: BUSY_TIMEOUT_MS });
  try {
    db.prepare('VACUUM INTO ?').run(target);
  } finally {
    db.close();
  }
}

/** Copies the database into the private, new file `target` (replaced only with `overwrite`). */
export function backupSqlite(databasePath: string, target: string, overwrite: boolean): BackupSummary {
  if (!existsSync(databasePath)) throw new ValidationError('database', `no database at ${databasePath} (set DATA_DIR or DATABASE_URL to the platform's)`);
  if (!overwrite && existsSync(target)) throw refuseOverwrite(target);
  // VACUUM INTO writes into an empty existing file and keeps its mode 0600.
  const partial = createPartialFile(target);
  try {
    vacuumInto(databasePath, partial);
    const { messages } = inspectSqliteBackup(partial);
    publishFile(partial, target, overwrite);
    return { path: target, bytes: statSync(target).size, messages };
  } finally {
    rmSync(partial, { force: true });
  }
}
