// The platform's base model: token counts from the whole SpamAssassin public
// corpus (spam-corpus.ts), which every account's own counts adapt. Training
// takes seconds of CPU and about 100 MB that a process keeps afterwards (6000
// messages parsed and tokenized), so it runs in a process of its own
// (base-model-training.ts), once: the result is kept in node_modules/.cache
// (one file per tokenizer version, 0.7 MB) and only read on later starts.
// Each daemon holds the table in memory once loaded (about 11 MB).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TokenTable, type SavedTable } from './token-table.ts';

/** Raise when message-tokens.ts changes what a token is: older cached models are then retrained. */
const TOKENIZER_VERSION = 1;

const here = dirname(fileURLToPath(import.meta.url));
const cacheFile = join(here, '..', '..', 'node_modules', '.cache', 'mailplatform', `spam-base-model-v${TOKENIZER_VERSION}.json`);

let loading: Promise<TokenTable> | null = null;

function readCache(): SavedTable | null {
  try {
    return JSON.parse(readFileSync(cacheFile, 'utf8')) as SavedTable;
  } catch {
    return null;
  }
}

/** The table trained by base-model-training.ts in a child process, which also writes the cache. */
export function trainInChildProcess(file = cacheFile): Promise<SavedTable> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'base-model-training.ts'), file], { stdio: ['ignore', 'pipe', 'inherit'] });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`training the junk filter's base model failed (exit code ${code})`));
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as SavedTable);
      } catch (error) {
        reject(error);
      }
    });
  });
}

export function baseModel(): Promise<TokenTable> {
  loading ??= (async () => {
    // The caller (daemon start) is not held up by the first load.
    await new Promise((resolve) => setImmediate(resolve));
    return TokenTable.load(readCache() ?? (await trainInChildProcess()));
  })().catch((error) => {
    // Tried again by the next message (which goes to the Inbox meanwhile).
    loading = null;
    throw error;
  });
  return loading;
}
