// A domain's mailboxes and aliases a page at a time, searched by address,
// display name or alias target, for admin pages that stay quick with
// thousands of each (mailcow's tables): the database pages and counts, the
// page renders only what it shows.
import type { MailStore } from '../store/context.ts';
import type { AccountView } from '../accounts/accounts.ts';
import type { AliasView } from '../aliases/aliases.ts';

export const DIRECTORY_PAGE = 50;

export interface DirectoryPage<T> {
  rows: T[];
  /** How many match the search, over every page. */
  total: number;
  /** 0-based, clamped to the last page there is. */
  page: number;
  pageSize: number;
}

export interface DirectoryQuery {
  search?: string;
  page?: number;
  pageSize?: number;
}

function contains(store: MailStore, value: string) {
  // SQLite's LIKE ignores ASCII case already; PostgreSQL needs to be told.
  return store.database.engine === 'postgres' ? { contains: value, mode: 'insensitive' as const } : { contains: value };
}

function window(total: number, query: DirectoryQuery) {
  const pageSize = Math.min(Math.max(Math.trunc(query.pageSize ?? DIRECTORY_PAGE), 1), 500);
  const last = Math.max(Math.ceil(total / pageSize) - 1, 0);
  const page = Math.min(Math.max(Math.trunc(Number.isFinite(query.page) ? query.page! : 0), 0), last);
  return { page, pageSize, skip: page * pageSize };
}

const term = (query: DirectoryQuery) => String(query.search ?? '').trim().slice(0, 200);

export async function mailboxPage(store: MailStore, domainId: number, query: DirectoryQuery = {}): Promise<DirectoryPage<AccountView>> {
  const prisma = store.database.prisma;
  const search = term(query);
  const where = {
    domainId,
    ...(search ? { OR: [{ address: contains(store, search.toLowerCase()) }, { displayName: contains(store, search) }] } : {}),
  };
  const total = await prisma.account.count({ where });
  const { page, pageSize, skip } = window(total, query);
  const rows = await prisma.account.findMany({ where, orderBy: { address: 'asc' }, skip, take: pageSize, omit: { passwordHash: true } });
  return { rows, total, page, pageSize };
}

export async function aliasPage(store: MailStore, domainId: number, query: DirectoryQuery = {}): Promise<DirectoryPage<AliasView>> {
  const prisma = store.database.prisma;
  const search = term(query).toLowerCase();
  const where = {
    domainId,
    ...(search ? { OR: [{ address: contains(store, search) }, { targets: { some: { target: contains(store, search) } } }] } : {}),
  };
  const total = await prisma.alias.count({ where });
  const { page, pageSize, skip } = window(total, query);
  const rows = await prisma.alias.findMany({ where, include: { targets: { orderBy: { id: 'asc' } } }, orderBy: { address: 'asc' }, skip, take: pageSize });
  return { rows: rows.map((r) => ({ id: r.id, address: r.address, targets: r.targets.map((t) => t.target) })), total, page, pageSize };
}
