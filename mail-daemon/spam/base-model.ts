// The platform's base model: token counts from the whole SpamAssassin public
// corpus (spam-corpus.ts), which every account's own counts adapt. Training
// takes a few seconds, so the result is kept in node_modules/.cache (one file
// per tokenizer version) and only read on later starts; each process holds it
// in memory once loaded.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadSpamCorpus } from './spam-corpus.ts';
import { TokenTable, trainTable, type SavedTable } from './token-table.ts';

/** Raise when message-tokens.ts changes what a token is: older cached models are then retrained. */
const TOKENIZER_VERSION = 1;

const cacheFile = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'node_modules', '.cache', 'mailplatform', `spam-base-model-v${TOKENIZER_VERSION}.json`);

let loading: Promise<TokenTable> | null = null;

function loadOrTrain(): TokenTable {
  try {
    return TokenTable.load(JSON.parse(readFileSync(cacheFile, 'utf8')) as SavedTable);
  } catch {
    const table = trainTable(loadSpamCorpus());
    try {
      mkdirSync(dirname(cacheFile), { recursive: true });
      // Written aside and renamed, so a process reading it never sees half a file.
      const partial = `${cacheFile}.${process.pid}`;
      writeFileSync(partial, JSON.stringify(table.save()));
      renameSync(partial, cacheFile);
    } catch {
      // A read-only install trains again on the next start.
    }
    return table;
  }
}

export function baseModel(): Promise<TokenTable> {
  // setImmediate: the caller (daemon start) is not held up by the first load.
  loading ??= new Promise((resolve, reject) => setImmediate(() => {
    try {
      resolve(loadOrTrain());
    } catch (error) {
      reject(error);
    }
  }));
  return loading;
}
