// Statements run straight on the database driver (better-sqlite3, pg) instead
// of through Prisma's runtime, which costs about a millisecond a statement
// (issue 12): for the delivery writer and the hot-path reads (driver-reads.ts).
// Each SQL text is prepared once per connection (at most MAX_PREPARED kept);
// values are written as Prisma writes them, so rows stay readable by Prisma.
import type Database from 'better-sqlite3';
import pg from 'pg';
import type { Prisma } from '../../prisma/generated/sqlite/client.ts';
import type { Row } from './sql-steps.ts';
import type { Database as StoreDatabase } from '../../prisma/database.ts';

// Statements whose text varies (IN lists of any length) must not fill memory.
const MAX_PREPARED = 500;

/** As Prisma's SQLite adapter stores them: dates as ISO 8601 text, booleans as 0/1. */
function sqliteValue(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString().replace('Z', '+00:00');
  if (typeof value === 'boolean') return value ? 1 : 0;
  return value ?? null;
}

/**
 * Runs statements on one better-sqlite3 connection, synchronously. `arrays`:
 * each row as an array of its columns in order, which for thousands of rows
 * costs about half of building an object per row.
 */
export function sqliteStatements(db: Database.Database): {
  (statement: Prisma.Sql): Row[];
  (statement: Prisma.Sql, arrays: true): unknown[][];
} {
  const prepared = new Map<string, Database.Statement>();
  return ((statement: Prisma.Sql, arrays: boolean = false) => {
    let compiled = prepared.get(statement.sql);
    if (!compiled) {
      compiled = db.prepare(statement.sql);
      if (prepared.size >= MAX_PREPARED) prepared.delete(prepared.keys().next().value!);
      prepared.set(statement.sql, compiled);
    }
    const values = statement.values.map(sqliteValue);
    if (compiled.reader) return compiled.raw(arrays).all(...values);
    compiled.run(...values);
    return [];
  }) as ReturnType<typeof sqliteStatements>;
}

// Prisma writes a DateTime into a PostgreSQL "timestamp(3)" (no time zone) as
// UTC; pg would read it back as local time.
const TIMESTAMP_WITHOUT_TIME_ZONE = 1114;
export const postgresTypes: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === TIMESTAMP_WITHOUT_TIME_ZONE ? (text: string) => new Date(`${text.replace(' ', 'T')}Z`) : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

/**
 * A pool of PostgreSQL connections that reads timestamps as Prisma wrote
 * them; `name`: their application_name, which pg_stat_activity shows.
 */
export function postgresPool(url: string, max: number, name?: string): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max, allowExitOnIdle: true, types: postgresTypes, application_name: name });
  // An idle connection that breaks is replaced on the next query.
  pool.on('error', () => undefined);
  return pool;
}

const UNPREPARED = new WeakSet<Prisma.Sql>();

/**
 * Marks a statement to run unnamed on PostgreSQL: planned each time, never
 * kept by the server. For large statements whose text varies (a batch of
 * many deliveries, delivery-statement.ts): each text kept would hold its
 * plan in every connection's memory.
 */
export function unprepared(statement: Prisma.Sql): Prisma.Sql {
  UNPREPARED.add(statement);
  return statement;
}

/** What runs a statement: a pool, one of its connections, pipelined connections (postgres-pipeline.ts). */
export interface Queryable {
  query(config: pg.QueryConfig): Promise<pg.QueryResult>;
}

/** Runs statements as named (server-side prepared) statements on any connection of a pool; `arrays` as for SQLite. */
export function postgresStatements(): {
  (client: Queryable, statement: Prisma.Sql): Promise<Row[]>;
  (client: Queryable, statement: Prisma.Sql, arrays: true): Promise<unknown[][]>;
} {
  const names = new Map<string, string>();
  let next = 0;
  return (async (client: Queryable, statement: Prisma.Sql, arrays: boolean = false) => {
    const text = statement.text;
    let name = UNPREPARED.has(statement) ? undefined : names.get(text);
    if (!name && !UNPREPARED.has(statement) && names.size < MAX_PREPARED) names.set(text, (name = `driver${next++}`));
    // A timestamp column takes the UTC time as Prisma writes it.
    const values = statement.values.map((v) => (v instanceof Date ? v.toISOString() : v));
    return (await client.query({ name, text, values, ...(arrays ? { rowMode: 'array' } : {}) })).rows;
  }) as ReturnType<typeof postgresStatements>;
}

/** One driver connection (or pool) per database, made on first use and closed with the store. */
export function perDatabase<T extends { close(): Promise<void> }>(make: (database: StoreDatabase) => T): {
  of(database: StoreDatabase): T;
  close(database: StoreDatabase): Promise<void>;
} {
  const made = new WeakMap<StoreDatabase, T>();
  return {
    of(database) {
      let value = made.get(database);
      if (!value) made.set(database, (value = make(database)));
      return value;
    },
    async close(database) {
      const value = made.get(database);
      made.delete(database);
      await value?.close();
    },
  };
}
