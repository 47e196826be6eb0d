// Fresh, empty, migrated databases for tests: a SQLite file in a temp dir, or
// a new database on the PostgreSQL server of TEST_POSTGRES_URL (tests/run.mjs
// always provides one). Each test gets its own, so files run in parallel.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { applyMigrations } from '../../prisma/migrate.ts';
import { openDatabase, type Engine } from '../../prisma/database.ts';
import { createMailStore, closeMailStore, type MailStore } from '../../mail-daemon/store/context.ts';

export const ENGINES: Engine[] = ['sqlite', 'postgres'];

export interface TestDatabase {
  engine: Engine;
  url: string;
  drop(): Promise<void>;
}

function postgresServerUrl(): string {
  const url = process.env.TEST_POSTGRES_URL;
  if (!url) throw new Error('TEST_POSTGRES_URL is not set: run the tests with `npm test`, which provides a PostgreSQL server');
  return url;
}

export async function createTestDatabase(engine: Engine): Promise<TestDatabase> {
  if (engine === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'mail-test-'));
    const url = `file:${join(dir, 'mail.db')}`;
    await applyMigrations(url);
    return { engine, url, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const server = new URL(postgresServerUrl());
  const name = `test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: server.toString() });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(server.toString());
  url.pathname = `/${name}`;
  await applyMigrations(url.toString());
  return {
    engine,
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: server.toString() });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

export interface TestStore extends MailStore {
  testDatabase: TestDatabase;
  dispose(): Promise<void>;
}

/** A mail store on a fresh database; dispose() closes it and drops the database. */
export async function createTestStore(engine: Engine): Promise<TestStore> {
  const testDatabase = await createTestDatabase(engine);
  const store = createMailStore(await openDatabase(testDatabase.url));
  return {
    ...store,
    testDatabase,
    dispose: async () => {
      await closeMailStore(store);
      await testDatabase.drop();
    },
  };
}
