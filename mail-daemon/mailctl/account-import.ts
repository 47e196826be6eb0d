// Where `mailctl import` puts messages, whatever they come from (an mbox, a
// Maildir, another IMAP server): into a folder of the account through the
// store's delivery, so quota, UIDs, modseq, full-text search and change
// events are as for any other delivery. A message already in the folder
// (same bytes, or same Message-ID and size) is skipped, so an import that
// was interrupted can be run again.
import type { AccountView } from '../accounts/accounts.ts';
import type { MailStore } from '../store/context.ts';
import { contentHash, withCrlf } from '../store/prepared-message.ts';
import { deliverMessages, type MessageDelivery } from '../store/deliver.ts';
import { prepareMessage, type PreparedMessage } from '../store/prepared-message.ts';
import { StoreError } from '../store/errors.ts';
import { normalizeFlags } from '../store/flags.ts';
import { createMailbox, findMailbox, findSpecialUseMailbox, normalizeMailboxName, INBOX, DELIMITER } from '../store/mailboxes.ts';
import { listMessageIdentities } from '../store/messages.ts';
import type { Progress } from './progress.ts';
import { ValidationError } from '../errors/validation-error.ts';

export interface IncomingMessage {
  raw: Buffer;
  flags: string[];
  internalDate: Date | null;
}

export type Outcome = 'imported' | 'duplicate' | 'too-big';

/** The import cannot go on (the account is full); what was imported stays. */
export class ImportStopped extends ValidationError {}

// Names that mean a special-use folder (RFC 6154) on servers and in mail
// programs that do not say so, e.g. "Sent Items" (Outlook) or "INBOX.Sent" (Courier).
const SPECIAL_NAMES: [string, RegExp][] = [
  ['\\Sent', /^(sent|sent items|sent messages|sent mail|gesendet|envoy[ée]s)$/i],
  ['\\Drafts', /^(drafts?|entw[üu]rfe|brouillons)$/i],
  ['\\Trash', /^(trash|deleted items|deleted messages|bin|papierkorb|corbeille)$/i],
  ['\\Junk', /^(junk|spam|junk e-?mail|bulk mail)$/i],
  ['\\Archive', /^(archives?)$/i],
];

/** The special use a folder's name suggests: top-level or right under INBOX only. */
export function specialUseOfName(name: string): string | null {
  const segments = name.split(DELIMITER);
  if (segments.length > 2 || (segments.length === 2 && segments[0].toUpperCase() !== INBOX)) return null;
  return SPECIAL_NAMES.find(([, pattern]) => pattern.test(segments[segments.length - 1]))?.[0] ?? null;
}

/** What the run did, for the summary line. */
export interface ImportCounts {
  imported: number;
  duplicates: number;
  tooBig: number;
  folders: Set<string>;
}

// Messages delivered in one transaction.
const BATCH_MESSAGES = 50;
const BATCH_BYTES = 16 * 1024 * 1024;

interface Pending {
  prepared: PreparedMessage;
  flags: string[];
  internalDate: Date | null;
  what: string;
  hash: string;
}

export class FolderImport {
  private readonly hashes = new Set<string>();
  private pending: Pending[] = [];
  private pendingBytes = 0;
  private readonly idsAndSizes = new Set<string>();

  constructor(
    private readonly run: AccountImport,
    readonly mailboxId: number,
    readonly name: string,
    identities: { contentHash: string; messageId: string; size: number }[],
  ) {
    for (const identity of identities) this.remember(identity.contentHash, identity.messageId, identity.size);
  }

  private remember(hash: string, messageId: string, size: number): void {
    this.hashes.add(hash);
    if (messageId) this.idsAndSizes.add(`${size} ${messageId}`);
  }

  /** Whether a message with this Message-ID and size is here already: a server's message need not be downloaded. */
  has(messageId: string | undefined, size: number): boolean {
    return !!messageId && this.idsAndSizes.has(`${size} ${messageId.trim()}`);
  }

  /**
   * Takes a message for the folder. It is delivered with the next ones, up
   * to BATCH_MESSAGES or BATCH_BYTES in one transaction (one commit and fsync
   * for the lot); finish() delivers the rest.
   */
  async add(message: IncomingMessage, what: string): Promise<Outcome> {
    const raw = withCrlf(message.raw);
    if (raw.length > this.run.maxMessageSize) {
      this.run.progress.warn(`mailctl: skipped ${what}: ${raw.length} bytes is more than MAX_MESSAGE_SIZE (${this.run.maxMessageSize})`);
      this.run.counts.tooBig++;
      return 'too-big';
    }
    const hash = contentHash(raw);
    if (this.hashes.has(hash)) {
      this.run.counts.duplicates++;
      return 'duplicate';
    }
    const prepared = await prepareMessage(raw);
    // Known at once, so that the same message twice in the source is imported once.
    this.remember(hash, prepared.summary.messageId, prepared.content.size);
    this.pending.push({ prepared, flags: this.run.validFlags(message.flags, what), internalDate: message.internalDate, what, hash });
    this.pendingBytes += prepared.content.size;
    if (this.pending.length >= BATCH_MESSAGES || this.pendingBytes >= BATCH_BYTES) await this.finish();
    return 'imported';
  }

  private delivery(entry: Pending): MessageDelivery {
    return {
      message: entry.prepared,
      targets: [{ accountId: this.run.account.id, mailboxId: this.mailboxId, flags: entry.flags }],
      options: { internalDate: entry.internalDate ?? undefined, enforceQuota: true },
    };
  }

  /** Delivers what add() took; when the batch does not fit the quota, as many as fit, one by one, and then stops. */
  async finish(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    if (batch.length === 0) return;
    try {
      await deliverMessages(this.run.store, batch.map((entry) => this.delivery(entry)));
      this.imported(batch.length);
      return;
    } catch (error) {
      if (!(error instanceof StoreError && error.code === 'OVERQUOTA')) throw error;
    }
    for (const [i, entry] of batch.entries()) {
      try {
        await deliverMessages(this.run.store, [this.delivery(entry)]);
        this.imported(1);
      } catch (error) {
        if (!(error instanceof StoreError && error.code === 'OVERQUOTA')) throw error;
        for (const left of batch.slice(i)) this.hashes.delete(left.hash);
        throw new ImportStopped(
          'quota',
          `${this.run.account.address} is full (its quota is reached): stopped before ${entry.what}. The ${this.run.counts.imported} messages imported so far stay; raise the quota (\`mailctl user quota ${this.run.account.address} SIZE\`) or make room, then run the same import again to go on (what is there already is skipped).`,
        );
      }
    }
  }

  private imported(count: number): void {
    this.run.counts.imported += count;
    this.run.counts.folders.add(this.name);
  }
}

export class AccountImport {
  readonly counts: ImportCounts = { imported: 0, duplicates: 0, tooBig: 0, folders: new Set() };
  private readonly badFlags = new Set<string>();

  constructor(
    readonly store: MailStore,
    readonly account: AccountView,
    readonly maxMessageSize: number,
    readonly progress: Progress,
  ) {}

  /**
   * The folder to import into: the account's special-use folder when the
   * source's folder is one (its Sent goes into our Sent, whatever its name),
   * else the folder of that name, created when missing.
   */
  async folder(sourceName: string, specialUse: string | null = specialUseOfName(sourceName)): Promise<FolderImport> {
    const name = this.mailboxName(sourceName);
    const special = name === INBOX ? null : specialUse && (await findSpecialUseMailbox(this.store.database.prisma, this.account.id, specialUse));
    const mailbox = special || (await findMailbox(this.store, this.account.id, name)) || (await createMailbox(this.store, this.account.id, name, { subscribe: true }));
    return new FolderImport(this, mailbox.id, mailbox.name, await listMessageIdentities(this.store, this.account.id, mailbox.id));
  }

  /** A name the store takes: characters it refuses become "_". */
  private mailboxName(sourceName: string): string {
    try {
      return normalizeMailboxName(sourceName);
    } catch {
      const fixed = sourceName
        .split(DELIMITER)
        .map((segment) => segment.replace(/[\x00-\x1f\x7f*%]/g, '_').slice(0, 255) || '_')
        .join(DELIMITER);
      this.progress.warn(`mailctl: folder ${JSON.stringify(sourceName)} is imported as ${JSON.stringify(fixed)}`);
      return normalizeMailboxName(fixed);
    }
  }

  /** The flags the store takes; a keyword it refuses is left out, with one warning per keyword. */
  validFlags(flags: string[], what: string): string[] {
    const valid: string[] = [];
    for (const flag of flags) {
      if (flag.toLowerCase() === '\\recent') continue;
      try {
        valid.push(...normalizeFlags([flag]));
      } catch {
        if (!this.badFlags.has(flag)) this.progress.warn(`mailctl: flag ${JSON.stringify(flag)} of ${what} (and of any other message) is left out: it is not a valid IMAP keyword`);
        this.badFlags.add(flag);
      }
    }
    return valid;
  }

  summary(): string {
    const { imported, duplicates, tooBig, folders } = this.counts;
    const parts = [`imported ${imported} message${imported === 1 ? '' : 's'} into ${folders.size} folder${folders.size === 1 ? '' : 's'} of ${this.account.address}`];
    if (duplicates) parts.push(`${duplicates} already there`);
    if (tooBig) parts.push(`${tooBig} too big, skipped`);
    return parts.join('; ');
  }
}
