// The SQLite database holds password hashes and DKIM keys: its file and the
// -wal and -shm files beside it are the owner's alone (0600), and a directory
// made for it is 0700. SQLite creates -wal and -shm with the mode of the
// database file, so making the file first, 0600, covers all three.
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';

export const PRIVATE_FILE_MODE = 0o600;
export const PRIVATE_DIRECTORY_MODE = 0o700;

/** Makes (or tightens) a directory that only its owner may enter. */
export function makePrivateDirectory(path: string): void {
  mkdirSync(/*turbopackIgnore: true*/ path, { recursive: true, mode: PRIVATE_DIRECTORY_MODE });
  chmodSync(/*turbopackIgnore: true*/ path, PRIVATE_DIRECTORY_MODE);
}

/**
 * Before SQLite opens `path`: a missing directory is made 0700 (an existing
 * one, which may be shared, is left as it is), the file is made if missing,
 * and the file and its -wal and -shm are set to 0600, also those an older
 * version left readable.
 */
export function prepareSqliteFile(path: string): void {
  // The comments keep Next.js's build from tracing the whole project through these paths.
  mkdirSync(/*turbopackIgnore: true*/ dirname(path), { recursive: true, mode: PRIVATE_DIRECTORY_MODE });
  closeSync(openSync(/*turbopackIgnore: true*/ path, 'a', PRIVATE_FILE_MODE));
  for (const file of [path, `${path}-wal`, `${path}-shm`]) {
    if (existsSync(/*turbopackIgnore: true*/ file)) chmodSync(/*turbopackIgnore: true*/ file, PRIVATE_FILE_MODE);
  }
}
