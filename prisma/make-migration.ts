// Writes a new migration for each engine from the difference between the
// schema of the last migration (migrations/schema.snapshot.prisma) and
// schema.prisma: `npm run db:migration -- <name>`.
// It diffs two datamodels, which needs no database: the WebAssembly schema
// engine cannot describe a live PostgreSQL schema through the pg adapter.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { adapterFactory, type Engine } from './database.ts';
import { migrationsRoot } from './migrate.ts';
import { openSchemaEngine } from './schema-engine.ts';
import { postgresSchema } from './postgres-schema.mjs';

const name = (process.argv[2] ?? '').replace(/[^a-z0-9_]+/gi, '_');
if (!name) {
  console.error('usage: npm run db:migration -- <name>');
  process.exit(2);
}

const schemaPath = join(migrationsRoot, '..', 'schema.prisma');
const snapshotPath = join(migrationsRoot, 'schema.snapshot.prisma');
const current = readFileSync(schemaPath, 'utf8');
const previous = existsSync(snapshotPath) ? readFileSync(snapshotPath, 'utf8') : null;
const providers: Record<Engine, { variant: (s: string) => string; provider: string }> = {
  sqlite: { variant: (s) => s, provider: 'sqlite' },
  postgres: { variant: postgresSchema, provider: 'postgresql' },
};

// The engine wants an adapter even for a diff that never touches a database.
const scratch = `file:${join(tmpdir(), `migration-diff-${process.pid}.db`)}`;
const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
let wrote = false;
for (const [engine, { variant, provider }] of Object.entries(providers) as [Engine, (typeof providers)[Engine]][]) {
  const schemaEngine = await openSchemaEngine(adapterFactory(scratch) as any);
  const datamodel = (text: string) => ({ tag: 'schemaDatamodel' as const, files: [{ path: 'schema.prisma', content: variant(text) }] });
  const result = await schemaEngine.diff({
    from: previous === null ? { tag: 'empty' } : datamodel(previous),
    to: datamodel(current),
    script: true,
    exitCode: null,
    filters: { externalTables: [], externalEnums: [] },
  });
  schemaEngine.free();
  const sql = result.stdout ?? '';
  if (!sql.trim() || /This is an empty migration/.test(sql)) {
    console.log(`${engine}: schema unchanged`);
    continue;
  }
  const dir = join(migrationsRoot, engine, `${stamp}_${name}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'migration.sql'), sql);
  writeFileSync(join(migrationsRoot, engine, 'migration_lock.toml'), `provider = "${provider}"\n`);
  console.log(`${engine}: wrote ${dir}/migration.sql`);
  wrote = true;
}
if (wrote) writeFileSync(snapshotPath, current);
