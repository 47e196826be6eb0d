// The one database client of the platform, built with the driver adapter that
// DATABASE_URL selects: a file: URL (the default) is SQLite through
// better-sqlite3, a postgres:// or postgresql:// URL is PostgreSQL through pg.
import { resolve } from 'node:path';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient as SqliteClient } from './generated/sqlite/client.ts';
import { PrismaClient as PostgresClient } from './generated/postgres/client.ts';
import { prepareSqliteFile } from './sqlite-file.ts';

// Both generated clients have the same models and methods; the SQLite one
// stands for the shared type.
export type Db = SqliteClient;
export type Engine = 'sqlite' | 'postgres';

export interface Database {
  engine: Engine;
  url: string;
  prisma: Db;
  close(): Promise<void>;
}

export function engineOf(url: string): Engine {
  if (url.startsWith('file:')) return 'sqlite';
  if (/^postgres(ql)?:\/\//.test(url)) return 'postgres';
  throw new Error(`DATABASE_URL must start with file: (SQLite) or postgresql:// (PostgreSQL), got "${url}"`);
}

export function sqlitePath(url: string): string {
  return resolve(url.replace(/^file:/, '').replace(/\?.*$/, ''));
}

// A writer that finds the file locked waits this long before SQLITE_BUSY.
const SQLITE_BUSY_TIMEOUT_MS = 15_000;

export function adapterFactory(url: string) {
  if (engineOf(url) === 'sqlite') {
    const path = sqlitePath(url);
    prepareSqliteFile(path);
    return new PrismaBetterSqlite3({ url: `file:${path}`, timeout: SQLITE_BUSY_TIMEOUT_MS });
  }
  return new PrismaPg({ connectionString: url, max: Number(process.env.DATABASE_POOL_SIZE ?? 10) });
}

export async function openDatabase(url: string): Promise<Database> {
  const engine = engineOf(url);
  const adapter = adapterFactory(url);
  const prisma = (engine === 'sqlite'
    ? new SqliteClient({ adapter: adapter as PrismaBetterSqlite3 })
    : new PostgresClient({ adapter: adapter as PrismaPg })) as unknown as Db;
  if (engine === 'sqlite') {
    // WAL lets the web process read while the daemon writes; synchronous=FULL
    // makes every commit durable before we answer 250 to a sender.
    await prisma.$queryRawUnsafe('PRAGMA journal_mode = WAL');
    await prisma.$executeRawUnsafe('PRAGMA synchronous = FULL');
    await prisma.$executeRawUnsafe('PRAGMA foreign_keys = ON');
  }
  return { engine, url, prisma, close: () => prisma.$disconnect() };
}

/** DATABASE_URL, or the SQLite file in DATA_DIR (default ./data/mail.db). */
export function databaseUrlFromEnv(env: Record<string, string | undefined> = process.env): string {
  return env.DATABASE_URL || `file:${resolve(/*turbopackIgnore: true*/ env.DATA_DIR || './data', 'mail.db')}`;
}

const processCache = globalThis as typeof globalThis & { __mailDatabase?: Promise<Database> };

/**
 * The process's database, migrated and opened once and cached on globalThis
 * (so Next.js dev reloads do not open a new connection each time).
 */
export function getDatabase(): Promise<Database> {
  processCache.__mailDatabase ??= (async () => {
    const url = databaseUrlFromEnv();
    const { applyMigrations } = await import('./migrate.ts');
    await applyMigrations(url);
    return openDatabase(url);
  })();
  return processCache.__mailDatabase;
}
