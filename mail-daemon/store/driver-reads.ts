// Reads on the hot paths run straight on the database driver, as the
// delivery writer does for writes (delivery-writer.ts): IMAP and POP3 (FETCH
// of a whole mailbox's flags and envelopes, a SELECT's snapshot, a maildrop
// listing), where Prisma's cost per row is most of the time of a read of
// thousands of small rows, and SMTP's accept path (recipient, domain, quota,
// rules, settings, junk filter state: about a dozen reads a message), where
// Prisma's cost per statement, about a millisecond, was (issue 12). A
// statement is prepared once per connection and kept (driver-statements.ts).
//
// SQLite: one connection of our own, query_only; in WAL mode a reader never
// waits for writers, so its synchronous calls are short.
// PostgreSQL: a few connections in pipeline mode (postgres-pipeline.ts), named prepared statements; timestamps without a
// time zone are read as UTC, as Prisma writes them.
// Rows come back as the driver gives them: booleans are 0/1 on SQLite,
// 64-bit integers strings on PostgreSQL, dates ISO text on SQLite; asBoolean
// and asDate read both.
import Database from 'better-sqlite3';
import type { Prisma } from '../../prisma/generated/sqlite/client.ts';
import { sqlitePath, type Database as StoreDatabase } from '../../prisma/database.ts';
import type { Row } from './sql-steps.ts';
import { binaryCopyRows, type BinaryRow } from './postgres-binary-copy.ts';
import { perDatabase, postgresPool, postgresStatements, sqliteStatements } from './driver-statements.ts';
import { postgresPipelines } from './postgres-pipeline.ts';

export interface DriverReader {
  /** The rows of a read-only statement. */
  rows<T = Row>(statement: Prisma.Sql): Promise<T[]>;
  /** The same with each row as an array of its columns, cheaper for thousands of rows. */
  arrays(statement: Prisma.Sql): Promise<unknown[][]>;
  /** PostgreSQL only: each row's fields as the bytes binary COPY gives (postgres-binary-copy.ts); the values must be integers. */
  binaryRows?(statement: Prisma.Sql): Promise<BinaryRow[]>;
  close(): Promise<void>;
}

function sqliteReader(database: StoreDatabase): DriverReader {
  const db = new Database(sqlitePath(database.url), { timeout: 1000 });
  db.pragma('query_only = ON');
  const execute = sqliteStatements(db);
  return {
    async rows<T>(statement: Prisma.Sql) {
      return execute(statement) as T[];
    },
    async arrays(statement: Prisma.Sql) {
      return execute(statement, true);
    },
    async close() {
      db.close();
    },
  };
}

function postgresReader(database: StoreDatabase): DriverReader {
  const connections = postgresPipelines(database.url, 4);
  // For COPY (message bytes), which holds its connection for the whole transfer.
  const pool = postgresPool(database.url, 4);
  const execute = postgresStatements();
  return {
    async rows<T>(statement: Prisma.Sql) {
      return (await execute(connections, statement)) as T[];
    },
    arrays: (statement: Prisma.Sql) => execute(connections, statement, true),
    binaryRows: (statement: Prisma.Sql) => binaryCopyRows(pool, statement),
    close: async () => {
      await connections.end();
      await pool.end();
    },
  };
}

const readers = perDatabase((database) => (database.engine === 'sqlite' ? sqliteReader(database) : postgresReader(database)));

export const driverReaderFor = (database: StoreDatabase): DriverReader => readers.of(database);
export const closeDriverReader = (database: StoreDatabase): Promise<void> => readers.close(database);

/** A boolean column: 0/1 on SQLite, true/false on PostgreSQL. */
export const asBoolean = (value: unknown): boolean => value === true || value === 1 || value === 1n;

/** A DateTime column, or null: ISO text on SQLite, a Date on PostgreSQL. */
export const asDate = (value: unknown): Date | null => (value === null || value === undefined ? null : value instanceof Date ? value : new Date(String(value)));

/** The first row of a read-only statement, if any. */
export async function firstRow(database: StoreDatabase, statement: Prisma.Sql): Promise<Row | undefined> {
  return (await driverReaderFor(database).rows(statement))[0];
}
