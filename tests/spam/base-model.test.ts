// The junk filter's base model is trained in a child process (so the daemon
// never holds the corpus nor what parsing it left behind), which writes the
// cache that later starts read.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trainInChildProcess } from '../../mail-daemon/spam/base-model.ts';

describe('base model training', () => {
  it('runs in a child process over the whole corpus, and writes the cache it answers with', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'base-model-'));
    try {
      const file = join(dir, 'nested', 'model.json');
      const before = process.memoryUsage().heapUsed;
      const saved = await trainInChildProcess(file);
      assert.deepEqual(saved.messages, { ham: 4150, spam: 1896 });
      assert.ok(Object.keys(saved.tokens).length > 10_000);
      assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), saved);
      // Only the saved table came back: not the corpus (tens of MB) nor the training's counts.
      assert.ok(process.memoryUsage().heapUsed - before < 30 * 1024 * 1024);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
