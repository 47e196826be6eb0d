// Simple per-account filters: "if sender, recipient or subject contains X,
// move to a folder or mark as read". Stored here; applyFilters is the pure
// decision that delivery asks for each incoming message.
import { Prisma, type MailFilter } from '../../prisma/generated/sqlite/client.ts';
import type { MailStore } from '../store/context.ts';
import { ValidationError } from '../errors/validation-error.ts';
import { driverReaderFor, asDate } from '../store/driver-reads.ts';
import type { Row } from '../store/sql-steps.ts';

export const FILTER_FIELDS = ['from', 'to', 'subject'] as const;
export const FILTER_ACTIONS = ['move', 'read'] as const;
export type FilterField = (typeof FILTER_FIELDS)[number];
export type FilterAction = (typeof FILTER_ACTIONS)[number];
export const MAX_FILTERS = 100;

export interface FilterInput {
  field: FilterField;
  value: string;
  action: FilterAction;
  folder?: string | null;
}

/** The columns filterOf reads, of the table under `alias` (delivery-rules.ts reads them joined with the settings). */
export const filterColumns = (alias: string) =>
  Prisma.raw(['id', 'accountId', 'position', 'field', 'value', 'action', 'folder', 'createdAt'].map((c) => `${alias}."${c}"`).join(', '));

export function filterOf(row: Row): MailFilter {
  return {
    id: Number(row.id),
    accountId: Number(row.accountId),
    position: Number(row.position),
    field: String(row.field),
    value: String(row.value),
    action: String(row.action),
    folder: row.folder === null ? null : String(row.folder),
    createdAt: asDate(row.createdAt)!,
  };
}

export async function listFilters(store: MailStore, accountId: number): Promise<MailFilter[]> {
  const rows = await driverReaderFor(store.database).rows(Prisma.sql`SELECT ${filterColumns('f')} FROM "MailFilter" f WHERE f."accountId" = ${accountId} ORDER BY f."position", f."id"`);
  return rows.map(filterOf);
}

export async function addFilter(store: MailStore, accountId: number, input: FilterInput): Promise<MailFilter> {
  if (!FILTER_FIELDS.includes(input.field)) throw new ValidationError('field', 'Choose sender, recipient or subject.');
  if (!FILTER_ACTIONS.includes(input.action)) throw new ValidationError('action', 'Choose move or mark as read.');
  const value = input.value.trim();
  if (!value) throw new ValidationError('value', 'Enter the text to look for.');
  if (value.length > 200) throw new ValidationError('value', 'Use at most 200 characters.');
  const prisma = store.database.prisma;
  let folder: string | null = null;
  if (input.action === 'move') {
    folder = (input.folder ?? '').trim();
    if (!folder) throw new ValidationError('folder', 'Choose the folder to move to.');
    const mailbox = await prisma.mailbox.findUnique({ where: { accountId_name: { accountId, name: folder } } });
    if (!mailbox) throw new ValidationError('folder', `There is no folder "${folder}".`);
  }
  const count = await prisma.mailFilter.count({ where: { accountId } });
  if (count >= MAX_FILTERS) throw new ValidationError('value', `At most ${MAX_FILTERS} filters.`);
  return prisma.mailFilter.create({ data: { accountId, position: count, field: input.field, value, action: input.action, folder } });
}

export async function removeFilter(store: MailStore, accountId: number, id: number): Promise<void> {
  const result = await store.database.prisma.mailFilter.deleteMany({ where: { id, accountId } });
  if (result.count === 0) throw new ValidationError('id', 'There is no such filter.');
}

export interface FilteredMessage {
  from: string;
  to: string;
  subject: string;
}

export interface FilterOutcome {
  /** The folder of the first matching "move" filter, or null for the Inbox. */
  folder: string | null;
  seen: boolean;
}

/** Every matching filter applies; the first "move" decides the folder. Matching ignores case. */
export function applyFilters(filters: Pick<MailFilter, 'field' | 'value' | 'action' | 'folder'>[], message: FilteredMessage): FilterOutcome {
  const outcome: FilterOutcome = { folder: null, seen: false };
  for (const filter of filters) {
    const haystack = (message[filter.field as FilterField] ?? '').toLowerCase();
    if (!haystack.includes(filter.value.toLowerCase())) continue;
    if (filter.action === 'read') outcome.seen = true;
    else if (filter.action === 'move' && outcome.folder === null && filter.folder) outcome.folder = filter.folder;
  }
  return outcome;
}
