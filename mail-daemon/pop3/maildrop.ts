// What a POP3 session sees of the store: the account's INBOX as it was at
// login (RFC 1939 5: message numbers and sizes stay fixed for the session),
// the bytes of one message, and the changes made when the session ends.
import type { MailStore } from '../store/context.ts';
import { expungeMessages } from '../store/expunge.ts';
import { findMailbox, INBOX } from '../store/mailboxes.ts';
import { setFlags } from '../store/message-flags.ts';
import { listMessageStates } from '../store/messages.ts';
import { getRawContents } from '../store/message-raw.ts';
import { ReadAhead } from './read-ahead.ts';

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

export class Maildrop {
  private readonly readAhead: ReadAhead;

  private constructor(
    private readonly store: MailStore,
    readonly accountId: number,
    readonly mailboxId: number,
    readonly messages: MaildropMessage[],
  ) {
    this.readAhead = new ReadAhead(messages, (ids) => getRawContents(store, accountId, ids));
  }

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
   * message meanwhile. Loads the following messages not in `skip` too
   * (read-ahead.ts).
   */
  content(message: MaildropMessage, skip: Set<number> = new Set()): Promise<Buffer | null> {
    return this.readAhead.get(message, skip);
  }

  /** The bytes of a message loaded ahead, without waiting; undefined when content() must read them. */
  takeLoaded(message: MaildropMessage, skip: Set<number>): Buffer | undefined {
    return this.readAhead.take(message, skip);
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
