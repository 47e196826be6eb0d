// Issue 11 section 6: the SQLite files (password hashes, DKIM keys) were
// created 0644 in a 0755 data directory, readable by every local user. The
// real daemon, started on a fresh DATA_DIR and on one an older version left
// readable, leaves the directory 0700 and mail.db, -wal, -shm 0600.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDaemonProcess } from './daemon-process.ts';

const modeOf = (path: string) => (statSync(path).mode & 0o777).toString(8);

async function modesAfterStart(prepare: (dataDir: string) => void): Promise<Record<string, string>> {
  const root = mkdtempSync(join(tmpdir(), 'file-modes-'));
  const dataDir = join(root, 'data');
  try {
    prepare(dataDir);
    const daemon = await startDaemonProcess(`file:${join(dataDir, 'mail.db')}`, { DATA_DIR: dataDir });
    try {
      // While the daemon runs, all three SQLite files exist.
      return Object.fromEntries(['.', 'mail.db', 'mail.db-wal', 'mail.db-shm', 'tls/key.pem'].map((name) => [name, modeOf(join(dataDir, name))]));
    } finally {
      await daemon.stop();
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

const PRIVATE = { '.': '700', 'mail.db': '600', 'mail.db-wal': '600', 'mail.db-shm': '600', 'tls/key.pem': '600' };

describe('SQLite file modes', () => {
  it('a fresh DATA_DIR is 0700 and its database files 0600', async () => {
    assert.deepEqual(await modesAfterStart(() => undefined), PRIVATE);
  });

  it('a DATA_DIR an older version left readable is tightened at start', async () => {
    const modes = await modesAfterStart((dataDir) => {
      mkdirSync(dataDir, { mode: 0o755 });
      chmodSync(dataDir, 0o755);
      for (const name of ['mail.db', 'mail.db-wal', 'mail.db-shm']) writeFileSync(join(dataDir, name), '', { mode: 0o644 });
      for (const name of ['mail.db', 'mail.db-wal', 'mail.db-shm']) chmodSync(join(dataDir, name), 0o644);
    });
    assert.deepEqual(modes, PRIVATE);
  });
});
