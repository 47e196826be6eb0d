// mailctl import ADDRESS PATH | --imap HOST: moves an account's mail in from
// an mbox file, a Maildir tree or another IMAP server, keeping folders,
// flags and internal dates (README "Moving mail in and out").
import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { ValidationError } from '../errors/validation-error.ts';
import type { Config } from '../config/config.ts';
import type { MailStore } from '../store/context.ts';
import { requireAccount } from '../accounts/accounts.ts';
import { INBOX } from '../store/mailboxes.ts';
import { readMbox, NotMboxError } from '../mailbox-formats/mbox-reader.ts';
import { fromLineDate, readMboxEntry } from '../mailbox-formats/mbox-metadata.ts';
import { maildirFolders, maildirMessages, maildirTotal } from '../mailbox-formats/maildir-reader.ts';
import { AccountImport } from './account-import.ts';
import { importFromImap, type ImapSource } from './imap-import.ts';
import { Progress } from './progress.ts';
import { parseArgs, UsageError } from './arguments.ts';
import { readPassword } from './password-input.ts';

export const IMPORT_USAGE = `  import <address> <mbox file or Maildir> [--folder <name>]
                                        an mbox goes into INBOX (or --folder); a Maildir keeps its folders
  import <address> --imap <host> --user <name> [--port <n>] [--tls|--starttls] [--insecure] [--password-stdin]
                                        every folder of an account on another IMAP server
`;

const OPTIONS = {
  values: new Set(['--folder', '--imap', '--port', '--user']),
  flags: new Set(['--tls', '--starttls', '--insecure', '--password-stdin']),
};

async function importMbox(run: AccountImport, path: string, folderName: string): Promise<void> {
  const folder = await run.folder(folderName);
  run.progress.setTotal({ bytes: statSync(path).size });
  let index = 0;
  for await (const message of readMbox(path, run.maxMessageSize)) {
    index++;
    const what = `message ${index} of ${path}`;
    if (!message.raw) {
      run.progress.warn(`mailctl: skipped ${what}: ${message.size} bytes is more than MAX_MESSAGE_SIZE (${run.maxMessageSize})`);
      run.counts.tooBig++;
    } else {
      const entry = readMboxEntry(message.raw);
      if (!(entry.folderData && index === 1)) await folder.add({ raw: entry.raw, flags: entry.flags, internalDate: fromLineDate(message.separator) }, what);
    }
    run.progress.advance(message.size, message.offset);
  }
  await folder.finish();
}

async function importMaildir(run: AccountImport, root: string): Promise<void> {
  const folders = maildirFolders(root);
  if (folders.length === 0) throw new ValidationError('path', `${root} is neither an mbox file nor a Maildir (no cur/ and new/, nor folders that have them)`);
  run.progress.setTotal({ messages: maildirTotal(folders) });
  for (const source of folders) {
    const folder = await run.folder(source.name);
    for (const file of await maildirMessages(source)) {
      const what = `${file.path}`;
      if (file.size > run.maxMessageSize) {
        run.progress.warn(`mailctl: skipped ${what}: ${file.size} bytes is more than MAX_MESSAGE_SIZE (${run.maxMessageSize})`);
        run.counts.tooBig++;
      } else {
        await folder.add({ raw: await readFile(file.path), flags: file.flags, internalDate: file.internalDate }, what);
      }
      run.progress.advance(file.size);
    }
    await folder.finish();
  }
}

function imapSource(options: Map<string, string | true>, password: string): ImapSource {
  const host = options.get('--imap') as string;
  const user = options.get('--user');
  if (typeof user !== 'string') throw new UsageError('--imap needs --user <name>');
  if (options.has('--tls') && options.has('--starttls')) throw new UsageError('--tls and --starttls exclude each other');
  const tls = options.has('--tls') ? 'tls' : options.has('--starttls') ? 'starttls' : 'if-offered';
  const port = options.get('--port');
  if (port !== undefined && (typeof port !== 'string' || !/^\d+$/.test(port) || Number(port) < 1 || Number(port) > 65535)) throw new UsageError('--port takes a port number');
  return { host, port: port ? Number(port) : tls === 'tls' ? 993 : 143, tls, verifyCertificate: !options.has('--insecure'), user, password };
}

export async function importCommand(store: MailStore, config: Config, args: string[]): Promise<string> {
  const { positional, options } = parseArgs(args, OPTIONS);
  const fromImap = options.has('--imap');
  if (positional.length !== (fromImap ? 1 : 2)) throw new UsageError('expected import <address> <path>, or import <address> --imap <host> --user <name>');
  const account = await requireAccount(store, positional[0]);
  const progress = new Progress('import');
  const run = new AccountImport(store, account, config.maxMessageSize, progress);
  try {
    if (fromImap) {
      const password = await readPassword(options.has('--password-stdin'), `Password of ${options.get('--user')} at ${options.get('--imap')}: `);
      await importFromImap(run, imapSource(options, password));
    } else {
      const path = positional[1];
      if (!existsSync(path)) throw new ValidationError('path', `${path} does not exist`);
      const folder = options.get('--folder');
      if (statSync(path).isDirectory()) {
        if (folder !== undefined) throw new UsageError('--folder is for an mbox file: a Maildir brings its own folders');
        await importMaildir(run, path);
      } else {
        await importMbox(run, path, typeof folder === 'string' ? folder : INBOX).catch((error) => {
          throw error instanceof NotMboxError ? new ValidationError('path', `${path} is not an mbox file: ${error.message}`) : error;
        });
      }
    }
  } finally {
    progress.finish();
  }
  return run.summary();
}
