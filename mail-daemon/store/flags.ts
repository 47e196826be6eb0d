// Message flags as IMAP names them: system flags live in boolean columns,
// keywords in one space-separated column.
export const SYSTEM_FLAGS = ['\\Seen', '\\Answered', '\\Flagged', '\\Deleted', '\\Draft'] as const;

const COLUMN_OF = {
  '\\seen': 'seen',
  '\\answered': 'answered',
  '\\flagged': 'flagged',
  '\\deleted': 'deleted',
  '\\draft': 'draft',
} as const;

export type FlagColumns = { seen: boolean; answered: boolean; flagged: boolean; deleted: boolean; draft: boolean; keywords: string };

// RFC 3501 9: atom characters only; a keyword never starts with "\".
const KEYWORD = /^[^\\\s()\{\}%*"\]\x00-\x1f\x7f]{1,100}$/;

export class InvalidFlagError extends Error {}

/** Validates and normalizes a flag list: system flags in canonical case, keywords as given, no duplicates. */
export function normalizeFlags(flags: Iterable<string>): string[] {
  const out = new Map<string, string>();
  for (const flag of flags) {
    if (flag.startsWith('\\')) {
      const canonical = SYSTEM_FLAGS.find((f) => f.toLowerCase() === flag.toLowerCase());
      if (!canonical) throw new InvalidFlagError(`unknown system flag ${flag}`);
      out.set(canonical.toLowerCase(), canonical);
    } else {
      if (!KEYWORD.test(flag)) throw new InvalidFlagError(`invalid keyword ${JSON.stringify(flag)}`);
      if (!out.has(flag.toLowerCase())) out.set(flag.toLowerCase(), flag);
    }
  }
  return [...out.values()];
}

export function flagsToColumns(flags: Iterable<string>): FlagColumns {
  const columns: FlagColumns = { seen: false, answered: false, flagged: false, deleted: false, draft: false, keywords: '' };
  const keywords: string[] = [];
  for (const flag of normalizeFlags(flags)) {
    const column = COLUMN_OF[flag.toLowerCase() as keyof typeof COLUMN_OF];
    if (column) columns[column] = true;
    else keywords.push(flag);
  }
  columns.keywords = keywords.join(' ');
  return columns;
}

export function columnsToFlags(row: FlagColumns): string[] {
  const flags: string[] = [];
  if (row.seen) flags.push('\\Seen');
  if (row.answered) flags.push('\\Answered');
  if (row.flagged) flags.push('\\Flagged');
  if (row.deleted) flags.push('\\Deleted');
  if (row.draft) flags.push('\\Draft');
  if (row.keywords) flags.push(...row.keywords.split(' '));
  return flags;
}

/** The flag set after an IMAP STORE: replace (FLAGS), add (+FLAGS) or remove (-FLAGS). */
export function applyFlagChange(current: string[], mode: 'set' | 'add' | 'remove', flags: string[]): string[] {
  const given = normalizeFlags(flags);
  if (mode === 'set') return given;
  const lower = new Set(given.map((f) => f.toLowerCase()));
  if (mode === 'remove') return current.filter((f) => !lower.has(f.toLowerCase()));
  return normalizeFlags([...current, ...given]);
}

export function sameFlags(a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false;
  const set = new Set(a.map((f) => f.toLowerCase()));
  return b.every((f) => set.has(f.toLowerCase()));
}
