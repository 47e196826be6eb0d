// What a session asked to hear of with NOTIFY SET (RFC 5465), and the STATUS
// it is sent when messages change in a mailbox other than the selected one
// (5.2-5.4: MESSAGES, UIDNEXT, UIDVALIDITY and UNSEEN; HIGHESTMODSEQ too
// when flag changes are asked for).
import type { StoreChange } from '../store/change-bus.ts';
import { getOwnedMailbox, listMailboxes, listSubscriptions } from '../store/mailboxes.ts';
import type { ImapSession } from './imap-session.ts';
import { statusValues, type StatusItem } from './mailbox-status.ts';
import { mailboxToWire } from './parser/mailbox-name.ts';
import { str } from './parser/response.ts';

/** The events kept here; the others of RFC 5465 5 are refused with BADEVENT. */
export const NOTIFY_EVENTS = ['MessageNew', 'MessageExpunge', 'FlagChange'] as const;
export type NotifyEvent = (typeof NOTIFY_EVENTS)[number];

const EVENT_OF: Record<StoreChange['kind'], NotifyEvent | null> = {
  'messages-added': 'MessageNew',
  'messages-removed': 'MessageExpunge',
  'flags-changed': 'FlagChange',
  'mailboxes-changed': null,
};

export type MailboxFilter = { kind: 'PERSONAL' | 'INBOXES' | 'SUBSCRIBED' } | { kind: 'SUBTREE' | 'MAILBOXES'; names: string[] };

export interface NotifyGroup {
  filter: MailboxFilter;
  events: Set<NotifyEvent>;
}

export class NotifySettings {
  constructor(
    /** SELECTED or SELECTED-DELAYED (expunges wait for a command that may report them); null: none. */
    readonly selected: { delayed: boolean; events: Set<NotifyEvent> } | null,
    readonly groups: NotifyGroup[],
  ) {}

  /** Whether this change to the selected mailbox goes out at once. */
  wantsSelected(change: StoreChange): boolean {
    const event = EVENT_OF[change.kind];
    return event !== null && (this.selected?.events.has(event) ?? false);
  }

  /** The event of a change to another mailbox when some group asks for it (its name is checked when sending). */
  eventOfOther(change: StoreChange): NotifyEvent | null {
    const event = EVENT_OF[change.kind];
    return event !== null && this.groups.some((group) => group.events.has(event)) ? event : null;
  }

  private get statusItems(): StatusItem[] {
    const flags = this.groups.some((group) => group.events.has('FlagChange'));
    return ['MESSAGES', 'UIDNEXT', 'UIDVALIDITY', 'UNSEEN', ...(flags ? (['HIGHESTMODSEQ'] as const) : [])];
  }

  private matches(filter: MailboxFilter, name: string, subscribed: () => Promise<string[]>): Promise<boolean> | boolean {
    switch (filter.kind) {
      // Mail is delivered to any mailbox here (Junk, rules), so INBOXES is every personal one, as in Dovecot.
      case 'PERSONAL':
      case 'INBOXES':
        return true;
      case 'SUBSCRIBED':
        return subscribed().then((names) => names.includes(name));
      case 'MAILBOXES':
        return filter.names.includes(name);
      case 'SUBTREE':
        return filter.names.some((root) => name === root || name.startsWith(`${root}/`));
    }
  }

  /**
   * STATUS of each mailbox that a group covers with one of its events: all
   * of them for NOTIFY SET STATUS, else those that changed.
   */
  async sendStatus(session: ImapSession, changed: Map<number, Set<NotifyEvent>> | 'all'): Promise<void> {
    const accountId = session.account!.id;
    const store = session.store;
    let subscriptions: Promise<string[]> | undefined;
    const subscribed = () => (subscriptions ??= listSubscriptions(store, accountId));
    const mailboxes =
      changed === 'all'
        ? await listMailboxes(store, accountId)
        : await Promise.all([...changed.keys()].map((id) => getOwnedMailbox(store.database.prisma, accountId, id).catch(() => null)));
    for (const mailbox of mailboxes) {
      // Deleted meanwhile, or selected: the selected one is reported as EXISTS, EXPUNGE and FETCH (RFC 5465 5.1).
      if (!mailbox || mailbox.id === session.selected?.id) continue;
      const events = changed === 'all' ? new Set(NOTIFY_EVENTS) : changed.get(mailbox.id)!;
      let covered = false;
      for (const group of this.groups) {
        if (!covered && [...events].some((e) => group.events.has(e)) && (await this.matches(group.filter, mailbox.name, subscribed))) covered = true;
      }
      if (covered) session.untagged('STATUS', str(mailboxToWire(mailbox.name, session.utf8)), await statusValues(store, mailbox, this.statusItems));
    }
  }
}
