// The Maildir conventions that import and export share
// (https://cr.yp.to/proto/maildir.html, Courier's Maildir++, Dovecot's
// additions): flags in the ":2," info suffix of the file name, keywords as
// the letters a-z that the folder's dovecot-keywords file names, folders
// as ".Parent.Child" directories (Maildir++) or as nested directories (mbsync
// "SubFolders Verbatim"), names in modified UTF-7 as Dovecot writes them.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeModifiedUtf7, encodeModifiedUtf7 } from '../imap/parser/mailbox-name.ts';
import { DELIMITER, INBOX } from '../store/mailboxes.ts';

// The info letters in the ASCII order the spec asks writers to keep.
const INFO_FLAGS: [string, string][] = [
  ['D', '\\Draft'],
  ['F', '\\Flagged'],
  ['P', '$Forwarded'],
  ['R', '\\Answered'],
  ['S', '\\Seen'],
  ['T', '\\Deleted'],
];

// ":" on Unix; mbsync and others use ";" where ":" cannot be in a file name.
const INFO = /[:;]2,([A-Za-z]*)$/;

/** The file name without its info suffix: the message's unique name. */
export function uniqueName(fileName: string): string {
  return fileName.replace(/[:;]2,[A-Za-z]*$/, '');
}

/** The flags of a file name's info suffix; `keywords` maps a letter a-z to a keyword. */
export function flagsOfFileName(fileName: string, keywords: Map<string, string>): string[] {
  const info = INFO.exec(fileName)?.[1] ?? '';
  const flags = new Set<string>();
  for (const letter of info) {
    const system = INFO_FLAGS.find(([l]) => l === letter);
    if (system) flags.add(system[1]);
    else if (keywords.has(letter)) flags.add(keywords.get(letter)!);
  }
  return [...flags];
}

/**
 * The info suffix for flags (":2,FS" or ":2,Sa"); `letterOf` gives a
 * keyword's letter, if it has one. $Forwarded is written both ways: P for
 * mbsync and mutt, and a keyword letter for Dovecot, which ignores P.
 */
export function infoSuffix(flags: string[], letterOf: (keyword: string) => string | undefined): string {
  const lower = new Set(flags.map((f) => f.toLowerCase()));
  const system = INFO_FLAGS.filter(([, flag]) => lower.has(flag.toLowerCase())).map(([l]) => l);
  const letters = flags.filter((f) => !f.startsWith('\\')).map(letterOf);
  return `:2,${system.join('')}${[...new Set(letters.filter((l): l is string => !!l))].sort().join('')}`;
}

export const KEYWORDS_FILE = 'dovecot-keywords';
export const MAX_KEYWORD_LETTERS = 26;

/** A folder's dovecot-keywords ("0 $Junk" per line: letter a is keyword 0). */
export function readKeywordLetters(dir: string): Map<string, string> {
  const letters = new Map<string, string>();
  const file = join(dir, KEYWORDS_FILE);
  if (!existsSync(file)) return letters;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const match = /^(\d+) (\S+)$/.exec(line.trim());
    if (match && Number(match[1]) < MAX_KEYWORD_LETTERS) letters.set(String.fromCharCode(97 + Number(match[1])), match[2]);
  }
  return letters;
}

export function keywordsFileText(keywords: string[]): string {
  return keywords.map((k, i) => `${i} ${k}\n`).join('');
}

/** A name that may be modified UTF-7 (Dovecot) or already UTF-8 (mbsync), as the store keeps it. */
function nameFromDisk(name: string): string {
  try {
    return decodeModifiedUtf7(name);
  } catch {
    return name;
  }
}

/** A Maildir++ directory name (".Projects.2026") as a mailbox name ("Projects/2026"). */
export function folderOfMaildirPlusPlus(entry: string): string {
  return entry.slice(1).split('.').map(nameFromDisk).join(DELIMITER);
}

/** A nested directory path ("Projects/2026", mbsync's Verbatim layout) as a mailbox name. */
export function folderOfVerbatim(segments: string[]): string {
  return segments.map(nameFromDisk).join(DELIMITER);
}

/** Where a mailbox goes in a Maildir++ tree: "" for INBOX (the root), ".Projects.2026" otherwise. */
export function maildirPlusPlusEntry(mailbox: string): string {
  if (mailbox === INBOX) return '';
  // Maildir++ has no way to write a "." inside a level: it becomes "_" rather than a new level.
  return `.${mailbox.split(DELIMITER).map((segment) => encodeModifiedUtf7(segment).replace(/\./g, '_')).join('.')}`;
}
