// Trains the junk filter's base model (base-model.ts) in a process of its
// own: `node --import tsx base-model-training.ts <cache file>` reads the
// corpus, writes the table to the cache file (aside, then renamed, so a
// reader never sees half a file) and prints it on stdout, for when the cache
// cannot be written (a read-only install).
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { loadSpamCorpus } from './spam-corpus.ts';
import { trainTable } from './token-table.ts';

const cacheFile = process.argv[2];
const saved = JSON.stringify(trainTable(loadSpamCorpus()).save());
try {
  mkdirSync(dirname(cacheFile), { recursive: true });
  const partial = `${cacheFile}.${process.pid}`;
  writeFileSync(partial, saved);
  renameSync(partial, cacheFile);
} catch {
  // Read-only: the daemon trains again on its next start.
}
process.stdout.write(saved);
