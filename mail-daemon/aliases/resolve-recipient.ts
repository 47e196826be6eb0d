// Where mail for an address goes: local accounts (through aliases and the
// domain's catch-all) and external addresses (forwarded through the queue).
// postmaster@ (RFC 5321 4.5.1) and abuse@ (RFC 2142) exist on every hosted
// domain: without an account or alias of that name they reach the domain's
// administrators.
// A domain that is not verified, or is disabled, is not hosted for mail.
import type { MailStore } from '../store/context.ts';
import { parseAddress } from '../accounts/addresses.ts';
import { roleAddressReaders } from '../domains/domain-admins.ts';
import { Prisma } from '../../prisma/generated/sqlite/client.ts';
import { driverReaderFor, firstRow, asBoolean } from '../store/driver-reads.ts';
import type { Row } from '../store/sql-steps.ts';
import type { QuotaUsage } from '../store/quota.ts';

export interface LocalRecipient {
  accountId: number;
  address: string;
  /** The account's storage, when it was read with the account (the address is the account's own): RCPT's quota check reads it no more. */
  usage?: QuotaUsage;
}

export type Resolution =
  | { kind: 'not-hosted' }
  | { kind: 'unknown' }
  | { kind: 'disabled' }
  | { kind: 'ok'; local: LocalRecipient[]; external: string[] };

const ROLE_LOCAL_PARTS = new Set(['postmaster', 'abuse']);

// Alias chains longer than this are treated as loops.
const MAX_DEPTH = 8;

export async function resolveRecipient(store: MailStore, input: string): Promise<Resolution> {
  let address: string;
  try {
    address = parseAddress(input).address;
  } catch {
    return { kind: 'unknown' };
  }
  // Each domain read once per resolution (the address's own is asked again by expand).
  const domains = new Map<string, Promise<{ id: number; catchAllTarget: string | null } | null>>();
  const hostedDomain = (name: string) => {
    let found = domains.get(name);
    if (!found) domains.set(name, (found = readHostedDomain(store, name)));
    return found;
  };
  // The address's domain and account in one read (on PostgreSQL each read is a round trip, issue 12).
  const accounts = new Map<string, Row | undefined>();
  const domainName = address.slice(address.lastIndexOf('@') + 1);
  const first = await firstRow(store.database, Prisma.sql`SELECT d."id", d."verified", d."disabled", d."catchAllTarget", a."id" AS "accountId", a."disabled" AS "accountDisabled",
      a."usedBytes", a."quotaBytes"
    FROM "Domain" d LEFT JOIN "Account" a ON a."address" = ${address} WHERE d."name" = ${domainName}`);
  const hosted = hostedDomainOf(first);
  domains.set(domainName, Promise.resolve(hosted));
  if (!hosted) return { kind: 'not-hosted' };
  accounts.set(address, first!.accountId === null ? undefined : { id: first!.accountId, disabled: first!.accountDisabled, usedBytes: first!.usedBytes, quotaBytes: first!.quotaBytes });

  const local = new Map<number, LocalRecipient>();
  const external = new Set<string>();
  const seen = new Set<string>();
  let sawDisabled = false;

  const expand = async (target: string, depth: number, useCatchAll: boolean): Promise<void> => {
    if (seen.has(target) || depth > MAX_DEPTH) return;
    seen.add(target);
    const hosted = await hostedDomain(target.slice(target.lastIndexOf('@') + 1));
    if (!hosted) {
      external.add(target);
      return;
    }
    const account = accounts.has(target) ? accounts.get(target) : await firstRow(store.database, Prisma.sql`SELECT "id", "disabled" FROM "Account" WHERE "address" = ${target}`);
    if (account) {
      if (asBoolean(account.disabled)) sawDisabled = true;
      // PostgreSQL returns a bigint as a string, SQLite as a number.
      else if (account.usedBytes !== undefined) local.set(Number(account.id), { accountId: Number(account.id), address: target, usage: { usedBytes: Number(account.usedBytes), quotaBytes: Number(account.quotaBytes) } });
      else local.set(Number(account.id), { accountId: Number(account.id), address: target });
      return;
    }
    // An alias without targets is one row with a null target.
    const alias = await driverReaderFor(store.database).rows(Prisma.sql`SELECT t."target" FROM "Alias" a LEFT JOIN "AliasTarget" t ON t."aliasId" = a."id"
      WHERE a."address" = ${target} ORDER BY t."id"`);
    if (alias.length > 0) {
      for (const t of alias) if (t.target !== null) await expand(String(t.target), depth + 1, true);
      return;
    }
    if (ROLE_LOCAL_PARTS.has(target.slice(0, target.lastIndexOf('@')))) {
      const readers = await roleAddressReaders(store, hosted.id);
      for (const reader of readers) local.set(reader.id, { accountId: reader.id, address: reader.address });
      if (readers.length > 0) return;
    }
    if (useCatchAll && hosted.catchAllTarget) await expand(hosted.catchAllTarget.toLowerCase(), depth + 1, false);
  };

  await expand(address, 0, true);
  if (local.size + external.size > 0) return { kind: 'ok', local: [...local.values()], external: [...external] };
  return { kind: sawDisabled ? 'disabled' : 'unknown' };
}

/** A domain that takes mail here (verified, not disabled), or null. */
async function readHostedDomain(store: MailStore, name: string): Promise<{ id: number; catchAllTarget: string | null } | null> {
  return hostedDomainOf(await firstRow(store.database, Prisma.sql`SELECT "id", "verified", "disabled", "catchAllTarget" FROM "Domain" WHERE "name" = ${name}`));
}

function hostedDomainOf(row: Row | undefined): { id: number; catchAllTarget: string | null } | null {
  if (!row || !asBoolean(row.verified) || asBoolean(row.disabled)) return null;
  return { id: Number(row.id), catchAllTarget: row.catchAllTarget === null ? null : String(row.catchAllTarget) };
}
