// Finds the folders of a Maildir tree and the messages of each: the root is
// INBOX, ".A.B" directories are Maildir++ folders (Dovecot, Courier), and
// other directories with cur/ and new/ are folders by their path (mbsync's
// "SubFolders Verbatim", Dovecot's LAYOUT=fs). Messages come in the order
// Dovecot gave them UIDs (dovecot-uidlist), else by arrival time.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { INBOX } from '../store/mailboxes.ts';
import { flagsOfFileName, folderOfMaildirPlusPlus, folderOfVerbatim, readKeywordLetters, uniqueName } from './maildir.ts';

export interface MaildirFolder {
  name: string;
  dir: string;
}

export interface MaildirFile {
  path: string;
  flags: string[];
  /** The file's mtime: when the message arrived (Maildir's internal date). */
  internalDate: Date;
  size: number;
}

const PARTS = new Set(['cur', 'new', 'tmp']);

export function isMaildir(dir: string): boolean {
  return existsSync(join(dir, 'cur')) || existsSync(join(dir, 'new'));
}

function subdirectories(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !PARTS.has(entry.name))
    .map((entry) => entry.name)
    .sort();
}

/** Every folder under `root`, INBOX first; empty when `root` holds no Maildir at all. */
export function maildirFolders(root: string): MaildirFolder[] {
  const folders: MaildirFolder[] = [];
  if (isMaildir(root)) folders.push({ name: INBOX, dir: root });
  const walk = (dir: string, path: string[]) => {
    for (const entry of subdirectories(dir)) {
      const full = join(dir, entry);
      if (entry.startsWith('.')) {
        if (path.length === 0 && entry !== '.' && entry !== '..' && isMaildir(full)) folders.push({ name: folderOfMaildirPlusPlus(entry), dir: full });
        continue;
      }
      if (isMaildir(full)) folders.push({ name: folderOfVerbatim([...path, entry]), dir: full });
      walk(full, [...path, entry]);
    }
  };
  walk(root, []);
  // Parents before children; INBOX stays first.
  return folders.sort((a, b) => (a.name === INBOX ? -1 : b.name === INBOX ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Dovecot's UID of each unique name, from dovecot-uidlist ("17 :name" or "17 name" per line). */
function dovecotUids(dir: string): Map<string, number> {
  const uids = new Map<string, number>();
  const file = join(dir, 'dovecot-uidlist');
  if (!existsSync(file)) return uids;
  const lines = readFileSync(file, 'utf8').split('\n').slice(1);
  for (const line of lines) {
    const match = /^(\d+) (?:[^:]* )?:?(.+)$/.exec(line);
    if (match) uids.set(uniqueName(match[2]), Number(match[1]));
  }
  return uids;
}

/** The messages of one folder (new/ and cur/), with their flags, in order. */
export async function maildirMessages(folder: MaildirFolder): Promise<MaildirFile[]> {
  const keywords = readKeywordLetters(folder.dir);
  const files: MaildirFile[] = [];
  for (const part of ['new', 'cur']) {
    const dir = join(folder.dir, part);
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir)) {
      if (name.startsWith('.')) continue;
      const path = join(dir, name);
      const info = await stat(path).catch(() => null);
      if (!info?.isFile()) continue;
      files.push({ path, flags: flagsOfFileName(name, keywords), internalDate: info.mtime, size: info.size });
    }
  }
  const uids = dovecotUids(folder.dir);
  const order = (file: MaildirFile) => uids.get(uniqueName(file.path.slice(file.path.lastIndexOf('/') + 1))) ?? Number.MAX_SAFE_INTEGER;
  return files.sort((a, b) => order(a) - order(b) || a.internalDate.getTime() - b.internalDate.getTime() || (a.path < b.path ? -1 : 1));
}

export function maildirTotal(folders: MaildirFolder[]): number {
  let total = 0;
  for (const folder of folders) for (const part of ['new', 'cur']) if (existsSync(join(folder.dir, part))) total += readdirSync(join(folder.dir, part)).length;
  return total;
}
