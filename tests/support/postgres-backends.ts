// The PostgreSQL server processes working for a daemon under benchmark, so
// that its CPU time counts the database's share as the servers compared
// (Dovecot, Postfix) count their own reading and writing of mail.
import pg from 'pg';
import { cpuSeconds } from './process-cpu.ts';

/** The server processes connected to the database at `url`, but the asking one (none if it runs on another machine: /proc has no such process). */
export async function postgresBackends(url: string): Promise<number[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()');
    return rows.map((r) => r.pid);
  } finally {
    await client.end();
  }
}

/** CPU seconds of each of those processes so far. */
export async function backendsCpu(url: string): Promise<Map<number, number>> {
  return new Map((await postgresBackends(url)).map((pid) => [pid, cpuSeconds(pid)]));
}

/** CPU seconds they used since `before`: a process connected since counts from its start (one connected and gone meanwhile is missed). */
export async function backendsCpuSince(url: string, before: Map<number, number>): Promise<number> {
  const now = await backendsCpu(url);
  // A process that ended meanwhile reads 0: left out rather than counted negative.
  return [...now].reduce((sum, [pid, seconds]) => sum + Math.max(0, seconds - (before.get(pid) ?? 0)), 0);
}
