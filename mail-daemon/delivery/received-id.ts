// The id a message gets in its Received: field (RFC 5321 4.4, "id"), one per
// message, not per connection: it is in the delivery log and the queue entry,
// so an admin finds a message from a copy of its header. Time first, so ids
// sort roughly by arrival; random after, so two daemons never share one.
import { randomBytes } from 'node:crypto';

export function newReceivedId(now = Date.now()): string {
  return `${now.toString(36)}${randomBytes(5).toString('hex')}`.toUpperCase();
}
