// What a SQLite file must be before a restore trusts it: a SQLite database
// that passes integrity_check and carries our migration ledger (_migration)
// with our tables, made by this version of the platform or an older one.
import { existsSync } from 'node:fs';
import BetterSqlite3 from 'better-sqlite3';
import { committedMigrations } from '../../prisma/migrate.ts';
import { ValidationError } from '../errors/validation-error.ts';

export interface BackupContents {
  /** Rows of the Message table: one per message in a mailbox. */
  messages: number;
  /** Names of the migrations applied to it, oldest first. */
  migrations: string[];
}

function notOurs(path: string, why: string): ValidationError {
  return new ValidationError('file', `${path} is not a backup of this platform's database: ${why}`);
}

export function inspectSqliteBackup(path: string): BackupContents {
  if (!existsSync(path)) throw notOurs(path, 'no such file');
  let db: BetterSqlite3.Database;
  try {
    db = new BetterSqlite3(path, { readonly: true, fileMustExist: true });
  } catch (error) {
    throw notOurs(path, (error as Error).message);
  }
  try {
    let problems: string[];
    try {
      problems = (db.pragma('integrity_check') as { integrity_check: string }[]).map((row) => row.integrity_check);
    } catch (error) {
      // better-sqlite3 opens any file lazily; the first read finds "file is not a database".
      throw notOurs(path, (error as Error).message);
    }
    if (problems.join() !== 'ok') throw notOurs(path, `integrity_check found ${problems.slice(0, 3).join('; ')}`);
    const tables = new Set((db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((t) => t.name));
    if (!tables.has('_migration')) throw notOurs(path, 'it has no _migration table');
    if (!tables.has('Message') || !tables.has('MessageContent')) throw notOurs(path, 'it has no Message and MessageContent tables');
    const migrations = (db.prepare('SELECT name FROM "_migration" ORDER BY name').all() as { name: string }[]).map((m) => m.name);
    const known = new Set(committedMigrations('sqlite').map((m) => m.name));
    const unknown = migrations.filter((name) => !known.has(name));
    if (unknown.length > 0) {
      throw new ValidationError('file', `${path} was made by a newer version of the platform (migrations ${unknown.join(', ')}): update this installation first`);
    }
    const messages = (db.prepare('SELECT COUNT(*) AS n FROM "Message"').get() as { n: number }).n;
    return { messages, migrations };
  } finally {
    db.close();
  }
}
