// Where mail for an address goes: local accounts (through aliases and the
// domain's catch-all) and external addresses (forwarded through the queue).
// postmaster@ (RFC 5321 4.5.1) and abuse@ (RFC 2142) exist on every hosted
// domain: without an account or alias of that name they reach the domain's
// administrators.
// A domain that is not verified, or is disabled, is not hosted for mail.
import type { MailStore } from '../store/context.ts';
import { parseAddress } from '../accounts/addresses.ts';
import { roleAddressReaders } from '../domains/domain-admins.ts';

export interface LocalRecipient {
  accountId: number;
  address: string;
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
  const domain = address.slice(address.lastIndexOf('@') + 1);
  const prisma = store.database.prisma;
  const domainRow = await prisma.domain.findUnique({ where: { name: domain }, select: { verified: true, disabled: true } });
  if (!domainRow || !domainRow.verified || domainRow.disabled) return { kind: 'not-hosted' };

  const local = new Map<number, LocalRecipient>();
  const external = new Set<string>();
  const seen = new Set<string>();
  let sawDisabled = false;

  const expand = async (target: string, depth: number, useCatchAll: boolean): Promise<void> => {
    if (seen.has(target) || depth > MAX_DEPTH) return;
    seen.add(target);
    const targetDomain = target.slice(target.lastIndexOf('@') + 1);
    const hosted = await prisma.domain.findUnique({ where: { name: targetDomain }, select: { id: true, verified: true, disabled: true, catchAllTarget: true } });
    if (!hosted || !hosted.verified || hosted.disabled) {
      external.add(target);
      return;
    }
    const account = await prisma.account.findUnique({ where: { address: target }, select: { id: true, disabled: true } });
    if (account) {
      if (account.disabled) sawDisabled = true;
      else local.set(account.id, { accountId: account.id, address: target });
      return;
    }
    const alias = await prisma.alias.findUnique({ where: { address: target }, include: { targets: true } });
    if (alias) {
      for (const t of alias.targets) await expand(t.target, depth + 1, true);
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
