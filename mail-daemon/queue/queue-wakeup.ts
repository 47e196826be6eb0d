// A nudge for the queue runners of this process: something was just queued
// or made due, so look now instead of at the next poll. Runners in other
// processes find it at their next poll.
import { EventEmitter } from 'node:events';

const wakeup = new EventEmitter();
wakeup.setMaxListeners(0);

export function signalQueued(): void {
  wakeup.emit('queued');
}

export function onQueued(listener: () => void): () => void {
  wakeup.on('queued', listener);
  return () => wakeup.off('queued', listener);
}
