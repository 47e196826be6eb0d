// The SQLite delivery thread starts from one bundled JavaScript module, not
// through tsx (store/delivery-thread-module.ts, issue 11); tests/store/wal-checkpoint
// delivers on the thread.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { deliveryThreadModule } from '../../mail-daemon/store/delivery-thread-module.ts';

describe('delivery thread module', () => {
  it('is one plain JavaScript file under node_modules/.cache, named by its contents, built once', async () => {
    const [first, second] = await Promise.all([deliveryThreadModule(), deliveryThreadModule()]);
    assert.match(fileURLToPath(first.url), /\/node_modules\/\.cache\/mail-daemon\/delivery-thread-[0-9a-f]{16}\.mjs$/);
    assert.deepEqual(first.workerData, {}, 'no TypeScript entry for tsx to load');
    assert.equal(second.url.href, first.url.href);
    const code = readFileSync(first.url, 'utf8');
    assert.match(code, /\.postMessage\("ready"\)/);
    assert.doesNotMatch(code, /from ["']tsx/, 'tsx is not loaded by the thread');
  });
});
