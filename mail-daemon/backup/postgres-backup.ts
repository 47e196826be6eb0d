// `mailctl backup` on PostgreSQL runs pg_dump (custom format, for
// pg_restore). It dumps from a snapshot this process exports, so the message
// count it prints is that of the dump, while daemons keep writing.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, rmSync, statSync } from 'node:fs';
import pg from 'pg';
import { ValidationError } from '../errors/validation-error.ts';
import { createPartialFile, publishFile, refuseOverwrite } from './backup-file.ts';
import type { BackupSummary } from './sqlite-backup.ts';

/** The URL without its password, which goes to libpq in PGPASSWORD (a command line shows in ps). */
export function libpqConnection(url: string): { dbname: string; env: Record<string, string> } {
  const parsed = new URL(url);
  const password = decodeURIComponent(parsed.password);
  parsed.password = '';
  return { dbname: parsed.toString(), env: password ? { PGPASSWORD: password } : {} };
}

function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

export function pgDumpCommand(url: string, file: string): string {
  return `pg_dump --format=custom --file=${shellQuote(file)} ${shellQuote(libpqConnection(url).dbname)}`;
}

/**
 * The commands that restore a dump into a new, empty database beside the
 * current one (`<name>_restored`), which stays as it is: restoring over a
 * newer schema would leave the tables of later migrations behind, and the
 * next start would fail to make them again.
 */
export function pgRestoreCommands(url: string, file: string): { commands: string[]; restoredUrl: string } {
  const { dbname } = libpqConnection(url);
  const target = new URL(dbname);
  const restored = `${decodeURIComponent(target.pathname.slice(1))}_restored`;
  target.pathname = `/${encodeURIComponent(restored)}`;
  return {
    commands: [
      `psql ${shellQuote(dbname)} -c ${shellQuote(`CREATE DATABASE "${restored}"`)}`,
      `pg_restore --no-owner --single-transaction --exit-on-error --dbname=${shellQuote(target.toString())} ${shellQuote(file)}`,
    ],
    restoredUrl: target.toString(),
  };
}

function installed(command: string): boolean {
  return !spawnSync(command, ['--version']).error;
}

export async function backupPostgres(url: string, target: string, overwrite: boolean): Promise<BackupSummary> {
  if (!overwrite && existsSync(target)) throw refuseOverwrite(target);
  if (!installed('pg_dump')) {
    throw new ValidationError('pg_dump', `pg_dump is not installed (Debian: apt-get install postgresql-client); with it, back up with:\n  ${pgDumpCommand(url, target)}`);
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const partial = createPartialFile(target);
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const snapshot = (await client.query('SELECT pg_export_snapshot() AS id')).rows[0].id as string;
    const messages = Number((await client.query('SELECT COUNT(*) AS n FROM "Message"')).rows[0].n);
    const { dbname, env } = libpqConnection(url);
    const dump = spawn('pg_dump', ['--format=custom', `--file=${partial}`, `--snapshot=${snapshot}`, dbname], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let errors = '';
    dump.stderr!.on('data', (chunk) => (errors += chunk));
    const code = await new Promise<number | null>((resolve) => dump.once('close', resolve));
    if (code !== 0) throw new ValidationError('pg_dump', `pg_dump failed (exit ${code}): ${errors.trim()}`);
    await client.query('COMMIT');
    publishFile(partial, target, overwrite);
    return { path: target, bytes: statSync(target).size, messages };
  } finally {
    rmSync(partial, { force: true });
    await client.end();
  }
}
