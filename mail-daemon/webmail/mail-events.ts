// Live updates for the web app: the store's change bus (fed by this process,
// the daemon and, with PostgreSQL, every other process) filtered to one
// account, for a server-sent events stream. An event only says which folder
// moved; the page reads the current state itself.
import type { MailStore } from '../store/context.ts';
import type { StoreChange } from '../store/change-bus.ts';

export interface MailEvent {
  kind: StoreChange['kind'];
  mailboxId?: number;
}

/** Calls `listener` for each change to the account's mail; returns the unsubscribe function. */
export async function subscribeMailEvents(store: MailStore, accountId: number, listener: (event: MailEvent) => void): Promise<() => void> {
  return store.bus.subscribe((change) => {
    if (change.accountId === accountId) listener({ kind: change.kind, mailboxId: change.mailboxId });
  });
}

/** One event in the text/event-stream format (HTML Living Standard 9.2.5). */
export function formatServerEvent(event: MailEvent): string {
  return `event: mail\ndata: ${JSON.stringify(event)}\n\n`;
}
