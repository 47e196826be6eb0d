// What a session asked to hear of with NOTIFY SET (RFC 5465), and what it is
// sent: STATUS when messages change in a mailbox other than the selected one
// (5.2-5.4: MESSAGES, UIDNEXT, UIDVALIDITY and UNSEEN; HIGHESTMODSEQ too
// when flag changes are asked for), and LIST when mailboxes are created,
// deleted or renamed (5.5, \NonExistent, OLDNAME) or subscribed (5.6).
// Mailbox names and subscriptions are compared with what the session last
// saw, since a change event only says that they moved.
import type { Mailbox } from '../../prisma/generated/sqlite/client.ts';
import type { StoreChange } from '../store/change-bus.ts';
import { DELIMITER, getOwnedMailbox, listMailboxes, listSubscriptions } from '../store/mailboxes.ts';
import type { ImapSession } from './imap-session.ts';
import { withAttributes } from './mailbox-list.ts';
import { statusValues, type StatusItem } from './mailbox-status.ts';
import { mailboxToWire } from './parser/mailbox-name.ts';
import { str } from './parser/response.ts';

/** The events kept here; the others of RFC 5465 5 are refused with BADEVENT. */
export const NOTIFY_EVENTS = ['MessageNew', 'MessageExpunge', 'FlagChange', 'MailboxName', 'SubscriptionChange'] as const;
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

/** The account's mailboxes (id to name) and subscribed names, as last told. */
interface MailboxNames {
  names: Map<number, string>;
  subscribed: Set<string>;
}

export class NotifySettings {
  private known: MailboxNames | null = null;
  /** Reports due: the selected mailbox changed, the folder list or subscriptions, other mailboxes' messages. */
  private selectedDue = false;
  private mailboxesDue = false;
  private statusDue = new Map<number, Set<NotifyEvent>>();

  constructor(
    /** SELECTED or SELECTED-DELAYED (expunges wait for a command that may report them); null: none. */
    readonly selected: { delayed: boolean; events: Set<NotifyEvent> } | null,
    readonly groups: NotifyGroup[],
  ) {}

  /** Notes a change as due when some filter may want it (names are checked when sending); false when none does. */
  note(change: StoreChange, selectedId: number | undefined): boolean {
    const event = EVENT_OF[change.kind];
    if (change.mailboxId === undefined) {
      if (!this.watchesMailboxes) return false;
      this.mailboxesDue = true;
    } else if (change.mailboxId === selectedId) {
      if (event === null || !this.selected?.events.has(event)) return false;
      this.selectedDue = true;
    } else {
      if (event === null || !this.groups.some((group) => group.events.has(event))) return false;
      const events = this.statusDue.get(change.mailboxId) ?? new Set<NotifyEvent>();
      this.statusDue.set(change.mailboxId, events.add(event));
    }
    return true;
  }

  /** What is due, as reports to send one after the other; due no more. */
  takeDue(session: ImapSession): (() => Promise<void> | undefined)[] {
    const reports: (() => Promise<void> | undefined)[] = [];
    if (this.mailboxesDue) reports.push(() => this.sendMailboxChanges(session));
    // SELECTED-DELAYED keeps expunges for a command that may report them (RFC 5465 5.1).
    const allowExpunge = !this.selected?.delayed;
    if (this.selectedDue) reports.push(() => session.selected?.refresh(session, allowExpunge));
    if (this.statusDue.size > 0) {
      const due = this.statusDue;
      reports.push(() => this.sendStatus(session, due));
    }
    this.selectedDue = this.mailboxesDue = false;
    this.statusDue = new Map();
    return reports;
  }

  /** Whether a change to the folder list or the subscriptions is asked for. */
  get watchesMailboxes(): boolean {
    return this.groups.some((group) => group.events.has('MailboxName') || group.events.has('SubscriptionChange'));
  }

  private async readNames(session: ImapSession): Promise<{ mailboxes: Mailbox[]; known: MailboxNames }> {
    const accountId = session.account!.id;
    const [mailboxes, subscribed] = await Promise.all([listMailboxes(session.store, accountId), listSubscriptions(session.store, accountId)]);
    return { mailboxes, known: { names: new Map(mailboxes.map((m) => [m.id, m.name])), subscribed: new Set(subscribed) } };
  }

  /** At NOTIFY SET: what later changes are compared with. */
  async learnMailboxes(session: ImapSession): Promise<void> {
    if (this.watchesMailboxes) this.known = (await this.readNames(session)).known;
  }

  /** Whether a group with one of these events covers the name (SUBSCRIBED: when among `subscribed`). */
  private covers(events: Iterable<NotifyEvent>, name: string, subscribed: Set<string>): boolean {
    const wanted = [...events];
    return this.groups.some((group) => wanted.some((event) => group.events.has(event)) && matches(group.filter, name, subscribed));
  }

  /** LIST for each mailbox created, deleted, renamed, subscribed or unsubscribed since last told. */
  private async sendMailboxChanges(session: ImapSession): Promise<void> {
    if (!this.known) return;
    const before = this.known;
    const { mailboxes, known: after } = await this.readNames(session);
    this.known = after;
    const listed = withAttributes(mailboxes, { subscribed: after.subscribed });
    const wire = (name: string) => str(mailboxToWire(name, session.utf8));
    const either = new Set([...before.subscribed, ...after.subscribed]);
    for (const { mailbox, attributes } of listed) {
      const old = before.names.get(mailbox.id);
      if (old === mailbox.name || !this.covers(['MailboxName'], mailbox.name, either)) continue;
      // RFC 5465 5.5: a new mailbox is listed; a renamed one with its old name.
      const oldName = old === undefined ? [] : [[str('OLDNAME'), [wire(old)]]];
      session.untagged('LIST', attributes, str(DELIMITER), wire(mailbox.name), ...oldName);
    }
    for (const [id, name] of before.names) {
      if (!after.names.has(id) && this.covers(['MailboxName'], name, either)) session.untagged('LIST', ['\\NonExistent'], str(DELIMITER), wire(name));
    }
    // RFC 5465 5.6: LIST with or without \Subscribed.
    for (const name of either) {
      if (before.subscribed.has(name) === after.subscribed.has(name) || !this.covers(['SubscriptionChange'], name, either)) continue;
      const attributes = listed.find((l) => l.mailbox.name === name)?.attributes ?? ['\\NonExistent', ...(after.subscribed.has(name) ? ['\\Subscribed'] : [])];
      session.untagged('LIST', attributes, str(DELIMITER), wire(name));
    }
  }

  private get statusItems(): StatusItem[] {
    const flags = this.groups.some((group) => group.events.has('FlagChange'));
    return ['MESSAGES', 'UIDNEXT', 'UIDVALIDITY', 'UNSEEN', ...(flags ? (['HIGHESTMODSEQ'] as const) : [])];
  }

  /**
   * STATUS of each mailbox that a group covers with one of its events: all
   * of them for NOTIFY SET STATUS, else those that changed.
   */
  async sendStatus(session: ImapSession, changed: Map<number, Set<NotifyEvent>> | 'all'): Promise<void> {
    const accountId = session.account!.id;
    const store = session.store;
    const subscribed = new Set(this.groups.some((group) => group.filter.kind === 'SUBSCRIBED') ? await listSubscriptions(store, accountId) : []);
    const mailboxes =
      changed === 'all'
        ? await listMailboxes(store, accountId)
        : await Promise.all([...changed.keys()].map((id) => getOwnedMailbox(store.database.prisma, accountId, id).catch(() => null)));
    for (const mailbox of mailboxes) {
      // Deleted meanwhile, or selected: the selected one is reported as EXISTS, EXPUNGE and FETCH (RFC 5465 5.1).
      if (!mailbox || mailbox.id === session.selected?.id) continue;
      const events = changed === 'all' ? MESSAGE_EVENTS : changed.get(mailbox.id)!;
      if (this.covers(events, mailbox.name, subscribed)) {
        session.untagged('STATUS', str(mailboxToWire(mailbox.name, session.utf8)), await statusValues(store, mailbox, this.statusItems));
      }
    }
  }
}

const MESSAGE_EVENTS: NotifyEvent[] = ['MessageNew', 'MessageExpunge', 'FlagChange'];

function matches(filter: MailboxFilter, name: string, subscribed: Set<string>): boolean {
  switch (filter.kind) {
    // Mail is delivered to any mailbox here (Junk, rules), so INBOXES is every personal one, as in Dovecot.
    case 'PERSONAL':
    case 'INBOXES':
      return true;
    case 'SUBSCRIBED':
      return subscribed.has(name);
    case 'MAILBOXES':
      return filter.names.includes(name);
    case 'SUBTREE':
      return filter.names.some((root) => name === root || name.startsWith(`${root}${DELIMITER}`));
  }
}
