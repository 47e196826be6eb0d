// Applies the committed migrations of the database's engine at start, like
// `prisma migrate deploy`, with no Prisma engine: each migrations/<engine>/
// <name>/migration.sql runs once, in its own transaction, recorded in
// _migration. Several processes may start at once: SQLite serializes them with
// BEGIN IMMEDIATE, PostgreSQL with an advisory lock.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { engineOf, sqlitePath, type Engine } from './database.ts';
import { prepareSqliteFile } from './sqlite-file.ts';

export const migrationsRoot = join(dirname(fileURLToPath(import.meta.url)), 'migrations');

interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

export function committedMigrations(engine: Engine): Migration[] {
  const dir = join(migrationsRoot, engine);
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(join(dir, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    });
}

const CREATE_LEDGER = `CREATE TABLE IF NOT EXISTS "_migration" (
  "name" TEXT PRIMARY KEY, "checksum" TEXT NOT NULL, "appliedAt" TEXT NOT NULL)`;

function pending(migrations: Migration[], applied: { name: string; checksum: string }[]): Migration[] {
  const byName = new Map(applied.map((row) => [row.name, row.checksum]));
  for (const migration of migrations) {
    const checksum = byName.get(migration.name);
    if (checksum !== undefined && checksum !== migration.checksum) {
      throw new Error(`migration ${migration.name} was changed after it was applied; write a new migration instead`);
    }
  }
  return migrations.filter((m) => !byName.has(m.name));
}

function applySqlite(url: string, migrations: Migration[]): string[] {
  // The first start of a fresh install makes DATA_DIR.
  prepareSqliteFile(sqlitePath(url));
  const db = new BetterSqlite3(sqlitePath(url), { timeout: 15_000 });
  try {
    db.pragma('journal_mode = WAL');
    db.exec(CREATE_LEDGER);
    const run = db.transaction(() => {
      const todo = pending(migrations, db.prepare('SELECT name, checksum FROM "_migration"').all() as any);
      for (const migration of todo) {
        db.exec(migration.sql);
        db.prepare('INSERT INTO "_migration" (name, checksum, appliedAt) VALUES (?, ?, ?)')
          .run(migration.name, migration.checksum, new Date().toISOString());
      }
      return todo.map((m) => m.name);
    });
    return run.immediate();
  } finally {
    db.close();
  }
}

// Any constant identifies our lock among other advisory locks on the server.
const MIGRATION_LOCK_KEY = 727_360_114;

async function applyPostgres(url: string, migrations: Migration[]): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    await client.query(CREATE_LEDGER);
    const applied = await client.query('SELECT name, checksum FROM "_migration"');
    const todo = pending(migrations, applied.rows);
    for (const migration of todo) {
      await client.query('BEGIN');
      try {
        await client.query(migration.sql);
        await client.query('INSERT INTO "_migration" (name, checksum, "appliedAt") VALUES ($1, $2, $3)',
          [migration.name, migration.checksum, new Date().toISOString()]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw new Error(`migration ${migration.name} failed: ${(error as Error).message}`);
      }
    }
    return todo.map((m) => m.name);
  } finally {
    await client.end();
  }
}

/** Applies what is missing and returns the names of the migrations it applied. */
export async function applyMigrations(url: string): Promise<string[]> {
  const engine = engineOf(url);
  const migrations = committedMigrations(engine);
  return engine === 'sqlite' ? applySqlite(url, migrations) : applyPostgres(url, migrations);
}
