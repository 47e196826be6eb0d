// mailctl export ADDRESS DIR: the account's mail as a Maildir++ tree that
// Dovecot, mbsync and mutt read: INBOX at the root, other folders as
// ".Parent.Child", each message byte for byte as stored, with its flags and
// its internal date (README "Moving mail in and out"). Run again, it adds
// what is new.
import { join } from 'node:path';
import type { MailStore } from '../store/context.ts';
import { requireAccount } from '../accounts/accounts.ts';
import { INBOX, listMailboxes } from '../store/mailboxes.ts';
import { listMessageStates } from '../store/messages.ts';
import { byContentSize } from '../store/bulk-reads.ts';
import { getRawContents } from '../store/message-raw.ts';
import { maildirPlusPlusEntry } from '../mailbox-formats/maildir.ts';
import { MaildirFolderWriter } from '../mailbox-formats/maildir-writer.ts';
import { parseArgs, UsageError } from './arguments.ts';
import { Progress } from './progress.ts';

export const EXPORT_USAGE = `  export <address> <directory>          the account's mail as a Maildir (folders as .Parent.Child)
`;

// Messages read from the database at once: a few megabytes, never a whole folder.
const BATCH_MESSAGES = 500;

export async function exportCommand(store: MailStore, args: string[]): Promise<string> {
  const { positional } = parseArgs(args, { values: new Set(), flags: new Set() });
  if (positional.length !== 2) throw new UsageError('expected export <address> <directory>');
  const [address, root] = positional;
  const account = await requireAccount(store, address);
  const mailboxes = await listMailboxes(store, account.id);
  const folders = [];
  for (const mailbox of mailboxes) folders.push({ mailbox, messages: await listMessageStates(store, account.id, mailbox.id) });
  const progress = new Progress('export', { messages: folders.reduce((sum, f) => sum + f.messages.length, 0) });
  let written = 0;
  let present = 0;
  try {
    for (const { mailbox, messages } of folders) {
      const writer = new MaildirFolderWriter(join(root, maildirPlusPlusEntry(mailbox.name)), mailbox.uidValidity, mailbox.name !== INBOX);
      const missing = messages.filter((m) => !writer.has(m.uid, m.size, m.internalDate));
      present += messages.length - missing.length;
      for (let i = 0; i < messages.length - missing.length; i++) progress.advance(0);
      for (const batch of byContentSize(missing, BATCH_MESSAGES)) {
        const raws = await getRawContents(store, account.id, batch.map((m) => m.id));
        for (const message of batch) {
          const raw = raws.get(message.id);
          // Expunged since the listing.
          if (raw) {
            await writer.write({ uid: message.uid, raw, flags: message.flags, internalDate: message.internalDate });
            written++;
          }
          progress.advance(message.size);
        }
      }
      writer.finish();
      if (writer.droppedKeywords.size > 0) {
        progress.warn(`mailctl: ${mailbox.name}: a Maildir folder has letters for 26 keywords; these are left out: ${[...writer.droppedKeywords].join(' ')}`);
      }
    }
  } finally {
    progress.finish();
  }
  return `exported ${written} message${written === 1 ? '' : 's'} of ${account.address} in ${folders.length} folders to ${root}${present ? ` (${present} were there already)` : ''}`;
}
