// What a POP3 session sees of the store: the account's INBOX as it was at
// login (RFC 1939 5: message numbers and sizes stay fixed for the session),
// the bytes of one message, and the changes made when the session ends.
import type { MailStore } from '../store/context.ts';
import { expungeMessages } from '../store/expunge.ts';
import { findMailbox, INBOX } from '../store/mailboxes.ts';
import { setFlags } from '../store/message-flags.ts';
import { listMessageStates } from '../store/messages.ts';
import { getRawContents } from '../store/message-raw.ts';

export interface MaildropMessage {
  /** The message number of RFC 1939, from 1. */
  number: number;
  /** The store's row id. */
  id: number;
  uid: number;
  /** Octets as stored; mail arrives with CRLF line ends, so this is what RETR sends before byte-stuffing. */
  size: number;
  /** RFC 1939 7 UIDL: stable for as long as the message stays in this mailbox. */
  uniqueId: string;
  seen: boolean;
}

/**
 * Read-ahead for RETR: clients fetch messages in order, so one query loads the
 * next few. Bounded per session, by count and by octets.
 */
const READ_AHEAD_MESSAGES = 32;
const READ_AHEAD_OCTETS = 2 * 1024 * 1024;

export class Maildrop {
  /** Bytes loaded ahead of their RETR, by message number. */
  private readonly ahead = new Map<number, Buffer>();

  private constructor(
    private readonly store: MailStore,
    readonly accountId: number,
    readonly mailboxId: number,
    readonly messages: MaildropMessage[],
  ) {}

  static async open(store: MailStore, accountId: number): Promise<Maildrop> {
    const inbox = await findMailbox(store, accountId, INBOX);
    if (!inbox) throw new Error(`account ${accountId} has no INBOX`);
    const rows = await listMessageStates(store, accountId, inbox.id);
    const messages = rows.map((row, index) => ({
      number: index + 1,
      id: row.id,
      uid: row.uid,
      size: row.size,
      // UIDVALIDITY changes only when the mailbox is recreated, and UIDs are
      // never reused within one UIDVALIDITY, so the pair never names two messages.
      uniqueId: `${inbox.uidValidity}.${row.uid}`,
      seen: row.flags.includes('\\Seen'),
    }));
    return new Maildrop(store, accountId, inbox.id, messages);
  }

  /**
   * The raw bytes; null when another client (IMAP, webmail) removed the
   * message meanwhile. Loads the following messages not in `skip` too, up to
   * the read-ahead bounds; one removed after it was loaded ahead is still
   * sent, as if the removal had come a moment later.
   */
  async content(message: MaildropMessage, skip: Set<number> = new Set()): Promise<Buffer | null> {
    const loaded = this.takeLoaded(message);
    if (loaded) return loaded;
    this.ahead.clear();
    const batch = [message];
    let octets = message.size;
    for (const next of this.messages.slice(message.number)) {
      if (batch.length >= READ_AHEAD_MESSAGES || octets + next.size > READ_AHEAD_OCTETS) break;
      if (skip.has(next.number)) continue;
      batch.push(next);
      octets += next.size;
    }
    const contents = await getRawContents(this.store, this.accountId, batch.map((m) => m.id));
    for (const m of batch.slice(1)) {
      const raw = contents.get(m.id);
      if (raw) this.ahead.set(m.number, raw);
    }
    return contents.get(message.id) ?? null;
  }

  /** The bytes of a message loaded ahead, without waiting; undefined when content() must read them. */
  takeLoaded(message: MaildropMessage): Buffer | undefined {
    const loaded = this.ahead.get(message.number);
    if (loaded) this.ahead.delete(message.number);
    return loaded;
  }

  /** Marks retrieved messages \Seen, as Dovecot does for RETR. */
  async markSeen(uids: number[]): Promise<void> {
    if (uids.length > 0) await setFlags(this.store, this.accountId, this.mailboxId, uids, 'add', ['\\Seen']);
  }

  /**
   * RFC 1939 6 UPDATE: removes the messages marked with DELE in one
   * transaction, which also tells IMAP sessions and the web app. Returns
   * the number removed (fewer if another client removed some first).
   */
  async remove(uids: number[]): Promise<number> {
    if (uids.length === 0) return 0;
    const removed = await expungeMessages(this.store, this.accountId, this.mailboxId, { onlyDeleted: false, uids });
    return removed.length;
  }
}
