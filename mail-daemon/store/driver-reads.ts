// Reads on the hot paths of IMAP and POP3 (FETCH of a whole mailbox's flags
// and envelopes, a SELECT's snapshot, a maildrop listing) run straight on the
// database driver, as the delivery writer does for writes (delivery-writer.ts):
// Prisma's cost per row is most of the time of a read of thousands of small
// rows. A statement is prepared once per connection and kept.
//
// SQLite: one connection of our own, query_only; in WAL mode a reader never
// waits for writers, so its synchronous calls are short.
// PostgreSQL: a small pool, named prepared statements; timestamps without a
// time zone are read as UTC, as Prisma writes them.
import Database from 'better-sqlite3';
import pg from 'pg';
import type { Prisma } from '../../prisma/generated/sqlite/client.ts';
import { sqlitePath, type Database as StoreDatabase } from '../../prisma/database.ts';
import type { Row } from './sql-steps.ts';

export interface DriverReader {
  /** The rows of a read-only statement. */
  rows<T = Row>(statement: Prisma.Sql): Promise<T[]>;
  close(): Promise<void>;
}

function sqliteReader(database: StoreDatabase): DriverReader {
  const db = new Database(sqlitePath(database.url), { timeout: 1000 });
  db.pragma('query_only = ON');
  const prepared = new Map<string, Database.Statement>();
  return {
    async rows<T>(statement: Prisma.Sql) {
      let compiled = prepared.get(statement.sql);
      if (!compiled) prepared.set(statement.sql, (compiled = db.prepare(statement.sql)));
      return compiled.all(...statement.values.map((v) => (typeof v === 'boolean' ? Number(v) : v))) as T[];
    },
    async close() {
      db.close();
    },
  };
}

const TIMESTAMP_WITHOUT_TIME_ZONE = 1114;

function postgresReader(database: StoreDatabase): DriverReader {
  const pool = new pg.Pool({
    connectionString: database.url,
    max: 4,
    allowExitOnIdle: true,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === TIMESTAMP_WITHOUT_TIME_ZONE ? (value: string) => new Date(`${value.replace(' ', 'T')}Z`) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  pool.on('error', () => undefined);
  const names = new Map<string, string>();
  return {
    async rows<T>(statement: Prisma.Sql) {
      const text = statement.text;
      let name = names.get(text);
      if (!name) names.set(text, (name = `read${names.size}`));
      return (await pool.query({ name, text, values: statement.values })).rows as T[];
    },
    close: () => pool.end(),
  };
}

const readers = new WeakMap<StoreDatabase, DriverReader>();

export function driverReaderFor(database: StoreDatabase): DriverReader {
  let reader = readers.get(database);
  if (!reader) {
    reader = database.engine === 'sqlite' ? sqliteReader(database) : postgresReader(database);
    readers.set(database, reader);
  }
  return reader;
}

export async function closeDriverReader(database: StoreDatabase): Promise<void> {
  const reader = readers.get(database);
  readers.delete(database);
  await reader?.close();
}
