// Writes one folder of a Maildir++ tree as Dovecot, mbsync and mutt read it:
// each message in tmp/ first and then renamed into cur/ (the Maildir rule,
// so a reader never sees half a file), its flags in the ":2," suffix, its
// keywords as letters listed in dovecot-keywords, its internal date as the
// file's mtime. The unique part of the name comes from the folder's UID
// validity and the message's UID, so writing the same folder again adds
// only what is missing.
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { rename, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { infoSuffix, keywordsFileText, KEYWORDS_FILE, MAX_KEYWORD_LETTERS, readKeywordLetters, uniqueName } from './maildir.ts';

export interface OutgoingMessage {
  uid: number;
  raw: Buffer;
  flags: string[];
  internalDate: Date;
}

// The Maildir spec: "/" and ":" in the host name are written as octal escapes.
const HOST = hostname().replace(/\//g, '\\057').replace(/:/g, '\\072');

export class MaildirFolderWriter {
  private readonly existing: Set<string>;
  private readonly keywords: string[];
  private keywordsChanged = false;
  readonly droppedKeywords = new Set<string>();

  /** `subfolder`: a Maildir++ folder below the root, marked by its "maildirfolder" file. */
  constructor(
    readonly dir: string,
    private readonly uidValidity: number,
    subfolder: boolean,
  ) {
    for (const part of ['cur', 'new', 'tmp']) mkdirSync(join(dir, part), { recursive: true });
    if (subfolder && !existsSync(join(dir, 'maildirfolder'))) writeFileSync(join(dir, 'maildirfolder'), '');
    this.existing = new Set([...readdirSync(join(dir, 'cur')), ...readdirSync(join(dir, 'new'))].map(uniqueName));
    this.keywords = [...readKeywordLetters(dir).entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, keyword]) => keyword);
  }

  private nameOf(uid: number, size: number, date: Date): string {
    return `${Math.floor(date.getTime() / 1000)}.M${uid}V${this.uidValidity}.${HOST},S=${size},W=${size}`;
  }

  /** Whether the message is in the folder already (from an earlier run). */
  has(uid: number, size: number, date: Date): boolean {
    return this.existing.has(this.nameOf(uid, size, date));
  }

  private letterOf = (keyword: string): string | undefined => {
    let index = this.keywords.findIndex((k) => k.toLowerCase() === keyword.toLowerCase());
    if (index === -1) {
      if (this.keywords.length >= MAX_KEYWORD_LETTERS) {
        this.droppedKeywords.add(keyword);
        return undefined;
      }
      index = this.keywords.push(keyword) - 1;
      this.keywordsChanged = true;
    }
    return String.fromCharCode(97 + index);
  };

  async write(message: OutgoingMessage): Promise<void> {
    const name = this.nameOf(message.uid, message.raw.length, message.internalDate);
    const temporary = join(this.dir, 'tmp', name);
    await writeFile(temporary, message.raw);
    await utimes(temporary, message.internalDate, message.internalDate);
    await rename(temporary, join(this.dir, 'cur', `${name}${infoSuffix(message.flags, this.letterOf)}`));
    this.existing.add(name);
  }

  /** Writes dovecot-keywords when new keywords got letters. */
  finish(): void {
    if (this.keywordsChanged) writeFileSync(join(this.dir, KEYWORDS_FILE), keywordsFileText(this.keywords));
    this.keywordsChanged = false;
  }
}
