// The slots for big incoming messages (incoming-message-budget.ts): small
// messages never wait, big ones wait for a slot, and a lease given up while
// waiting passes its turn on.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { IncomingMessageBudget, MEMORY_PER_MESSAGE_BYTE, SMALL_MESSAGE_BYTES } from '../../mail-daemon/limits/incoming-message-budget.ts';

const MAX = 50 * 1024 * 1024;
const BIG = SMALL_MESSAGE_BYTES + 1;

/** Whether the promise has settled after the queued callbacks ran. */
async function settled(promise: Promise<void> | null): Promise<boolean> {
  if (!promise) return true;
  let done = false;
  void promise.then(() => (done = true));
  await new Promise((resolve) => setImmediate(resolve));
  return done;
}

describe('IncomingMessageBudget', () => {
  it('has MESSAGE_MEMORY_LIMIT / (6 × MAX_MESSAGE_SIZE) slots, at least one: a message costs up to 6 times its size while stored', () => {
    assert.equal(MEMORY_PER_MESSAGE_BYTE, 6);
    assert.equal(new IncomingMessageBudget(12 * MAX + 5, MAX).slots, 2);
    assert.equal(new IncomingMessageBudget(12 * MAX - 1, MAX).slots, 1);
    assert.equal(new IncomingMessageBudget(MAX, MAX).slots, 1);
  });

  it('lets small messages through and makes the third big one wait for a slot', async () => {
    const budget = new IncomingMessageBudget(2 * MEMORY_PER_MESSAGE_BYTE * MAX, MAX);
    const [a, b, c] = [budget.lease(), budget.lease(), budget.lease()];
    assert.equal(a.hold(SMALL_MESSAGE_BYTES), null);
    assert.ok(await settled(a.hold(BIG)));
    assert.equal(a.hold(MAX), null, 'a slot holder grows without asking again');
    assert.ok(await settled(b.hold(BIG)));
    const third = c.hold(BIG);
    assert.equal(await settled(third), false);
    assert.equal(budget.lease().hold(SMALL_MESSAGE_BYTES), null, 'small messages never wait');
    a.release();
    assert.ok(await settled(third));
  });

  it('passes the slot on when a waiting lease is released (its connection closed)', async () => {
    const budget = new IncomingMessageBudget(MAX, MAX);
    const [a, b, c] = [budget.lease(), budget.lease(), budget.lease()];
    await a.hold(BIG);
    const second = b.hold(BIG);
    const third = c.hold(BIG);
    b.release();
    a.release();
    assert.ok(await settled(second));
    assert.ok(await settled(third), 'the slot b gave up went to c');
    c.release();
    assert.ok(await settled(budget.lease().hold(BIG)));
  });
});
