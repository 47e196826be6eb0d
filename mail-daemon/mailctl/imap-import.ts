// import --imap: every folder of an account on another IMAP server, with
// imapflow. Folders are read-only (EXAMINE), the special-use ones go into
// ours (RFC 6154: its \Sent into our Sent, whatever it is called there),
// each message keeps its flags, keywords and INTERNALDATE, and its bytes as
// the server sends them. Messages are fetched in batches of a few megabytes,
// so a big mailbox never sits in memory; one already here (same Message-ID
// and size) is not downloaded again.
import { ImapFlow, type ListResponse } from 'imapflow';
import { ValidationError } from '../errors/validation-error.ts';
import { DELIMITER, INBOX } from '../store/mailboxes.ts';
import { byContentSize } from '../store/bulk-reads.ts';
import type { AccountImport, FolderImport } from './account-import.ts';

export interface ImapSource {
  host: string;
  port: number;
  /** Implicit TLS, STARTTLS required, or STARTTLS when the server offers it. */
  tls: 'tls' | 'starttls' | 'if-offered';
  verifyCertificate: boolean;
  user: string;
  password: string;
}

interface Listed {
  uid: number;
  size: number;
  flags: string[];
  internalDate: Date | null;
  messageId?: string;
}

// Fetched at once (byContentSize keeps a batch to a few megabytes): a UID list the server takes in one line.
const BATCH_MESSAGES = 500;

/** Our name for a folder of theirs: their delimiter becomes ours. */
function folderName(folder: ListResponse): string {
  if (folder.specialUse === '\\Inbox' || folder.path.toUpperCase() === INBOX) return INBOX;
  const segments = folder.delimiter ? folder.path.split(folder.delimiter) : [folder.path];
  return segments.map((segment) => (folder.delimiter === DELIMITER ? segment : segment.replaceAll(DELIMITER, '_'))).join(DELIMITER);
}

async function listMessages(client: ImapFlow): Promise<Listed[]> {
  const listed: Listed[] = [];
  for await (const message of client.fetch('1:*', { uid: true, flags: true, internalDate: true, size: true, envelope: true })) {
    const date = message.internalDate ? new Date(message.internalDate) : null;
    listed.push({
      uid: message.uid,
      size: message.size ?? 0,
      flags: [...(message.flags ?? [])],
      internalDate: date && !Number.isNaN(date.getTime()) ? date : null,
      messageId: message.envelope?.messageId,
    });
  }
  return listed.sort((a, b) => a.uid - b.uid);
}

async function copyFolder(run: AccountImport, client: ImapFlow, folder: ListResponse, target: FolderImport): Promise<void> {
  const lock = await client.getMailboxLock(folder.path, { readOnly: true });
  try {
    const mailbox = client.mailbox;
    if (!mailbox || mailbox.exists === 0) return;
    const wanted: Listed[] = [];
    for (const message of await listMessages(client)) {
      const what = `UID ${message.uid} of ${folder.path}`;
      if (message.size > run.maxMessageSize) {
        run.progress.warn(`mailctl: skipped ${what}: ${message.size} bytes is more than MAX_MESSAGE_SIZE (${run.maxMessageSize})`);
        run.counts.tooBig++;
        run.progress.advance(message.size);
      } else if (target.has(message.messageId, message.size)) {
        run.counts.duplicates++;
        run.progress.advance(message.size);
      } else {
        wanted.push(message);
      }
    }
    for (const batch of byContentSize(wanted, BATCH_MESSAGES)) {
      const sources = new Map<number, Buffer>();
      for await (const message of client.fetch(batch.map((m) => m.uid).join(','), { uid: true, source: true }, { uid: true })) {
        if (message.source) sources.set(message.uid, message.source);
      }
      for (const message of batch) {
        const raw = sources.get(message.uid);
        const what = `UID ${message.uid} of ${folder.path}`;
        // Expunged meanwhile by another client of that server.
        if (raw) await target.add({ raw, flags: message.flags, internalDate: message.internalDate }, what);
        else run.progress.warn(`mailctl: ${what} is gone from the server, not imported`);
        sources.delete(message.uid);
        run.progress.advance(message.size);
      }
    }
    await target.finish();
  } finally {
    lock.release();
  }
}

export async function importFromImap(run: AccountImport, source: ImapSource): Promise<void> {
  const client = new ImapFlow({
    host: source.host,
    port: source.port,
    secure: source.tls === 'tls',
    doSTARTTLS: source.tls === 'starttls' ? true : undefined,
    tls: { rejectUnauthorized: source.verifyCertificate, servername: source.host },
    auth: { user: source.user, pass: source.password },
    logger: false,
    disableAutoIdle: true,
    // A message bigger than ours is skipped before it is fetched; a server announcing more is not to be believed.
    maxLiteralSize: run.maxMessageSize + 1024,
  });
  try {
    await client.connect();
  } catch (error) {
    const err = error as { authenticationFailed?: boolean; responseText?: string; message: string; code?: string };
    const why = err.authenticationFailed ? `the server refused the user name or password${err.responseText ? ` (${err.responseText})` : ''}` : `${err.code ? `${err.code}: ` : ''}${err.message}`;
    throw new ValidationError('imap', `could not log in to ${source.host}:${source.port} as ${source.user}: ${why}`);
  }
  client.on('error', () => undefined);
  try {
    const folders = (await client.list({ statusQuery: { messages: true } })).filter((f) => !f.flags.has('\\Noselect') && !f.flags.has('\\NonExistent'));
    run.progress.setTotal({ messages: folders.reduce((sum, f) => sum + (f.status?.messages ?? 0), 0) });
    // INBOX first, then parents before children.
    folders.sort((a, b) => (folderName(a) === INBOX ? -1 : folderName(b) === INBOX ? 1 : folderName(a) < folderName(b) ? -1 : 1));
    for (const folder of folders) {
      const target = await run.folder(folderName(folder), folder.specialUse && folder.specialUse !== '\\Inbox' ? folder.specialUse : undefined);
      await copyFolder(run, client, folder, target);
    }
  } finally {
    await client.logout().catch(() => client.close());
  }
}
