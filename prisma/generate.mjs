// Builds the Prisma clients for both engines from the one schema.prisma,
// without the Prisma engine download (generate never runs the schema engine,
// it only checks that the binary path exists).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { postgresSchema } from './postgres-schema.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const generated = join(here, 'generated');
mkdirSync(generated, { recursive: true });

const schema = readFileSync(join(here, 'schema.prisma'), 'utf8');
const postgresPath = join(generated, 'schema.postgres.prisma');
writeFileSync(postgresPath, postgresSchema(schema));

const prismaCli = join(here, '..', 'node_modules', 'prisma', 'build', 'index.js');
const env = { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: process.execPath, PRISMA_HIDE_UPDATE_MESSAGE: '1', CHECKPOINT_DISABLE: '1' };
for (const file of [join(here, 'schema.prisma'), postgresPath]) {
  execFileSync(process.execPath, [prismaCli, 'generate', '--schema', file], { stdio: 'inherit', env });
}
