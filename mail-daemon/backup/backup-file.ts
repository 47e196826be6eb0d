// The file a backup is written to, and the file a restore puts in place: made
// next to its final name with mode 0600 (a backup holds password hashes and
// DKIM keys), synced, then given its name in one step, so no reader ever sees
// half a file and a crash leaves the old one whole.
import { closeSync, fsyncSync, linkSync, openSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { PRIVATE_FILE_MODE } from '../../prisma/sqlite-file.ts';
import { ValidationError } from '../errors/validation-error.ts';

/** An empty private file beside `path`, for work that is published with publishFile. */
export function createPartialFile(path: string): string {
  const partial = `${path}.partial-${process.pid}`;
  rmSync(partial, { force: true });
  closeSync(openSync(partial, 'wx', PRIVATE_FILE_MODE));
  return partial;
}

/** fsync of a file, or of a directory so that a rename in it is durable. */
export function syncPath(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Syncs `partial` and gives it the name `path`. Without `overwrite` an
 * existing `path` is refused (link(2) fails on it, so even a file made in the
 * meantime is safe); with it, rename(2) replaces it atomically.
 */
export function publishFile(partial: string, path: string, overwrite: boolean): void {
  syncPath(partial);
  if (overwrite) {
    renameSync(partial, path);
  } else {
    try {
      linkSync(partial, path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw refuseOverwrite(path);
      throw error;
    }
    rmSync(partial);
  }
  syncPath(dirname(path));
}

export function refuseOverwrite(path: string): ValidationError {
  return new ValidationError('file', `${path} exists: choose another name, or add --force to replace it`);
}
