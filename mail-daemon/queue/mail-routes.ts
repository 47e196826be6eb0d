// Where mail for a domain goes (RFC 5321 5.1): its MX hosts by preference,
// or the domain itself when it publishes no MX, or nowhere when it publishes a
// null MX (RFC 7505). Each host comes with its addresses, tried in order.
import { isNoAnswer, type MailResolver, type MxRecord } from '../dns/resolver.ts';

export interface MailHost {
  name: string;
  addresses: string[];
}

export type MailRoute =
  | { kind: 'hosts'; hosts: MailHost[] }
  /** No delivery is possible and waiting will not help. */
  | { kind: 'permanent'; status: string; reason: string }
  /** The DNS did not answer; try again later. */
  | { kind: 'temporary'; status: string; reason: string };

function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

function dnsProblem(error: unknown): string {
  const e = error as NodeJS.ErrnoException & { hostname?: string };
  return `${e.code ?? 'DNS error'}${e.hostname ? ` for ${e.hostname}` : ''}`;
}

export async function findMailRoute(resolver: MailResolver, domain: string): Promise<MailRoute> {
  let records: MxRecord[];
  try {
    records = await resolver.resolveMx(domain);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // RFC 3463 X.1.2: the destination system does not exist.
    if (code === 'ENOTFOUND') return { kind: 'permanent', status: '5.1.2', reason: `domain ${domain} does not exist` };
    if (!isNoAnswer(error)) return { kind: 'temporary', status: '4.4.3', reason: `MX lookup for ${domain} failed: ${dnsProblem(error)}` };
    records = [];
  }

  // RFC 7505 3: a single MX with preference 0 and the root as exchange.
  if (records.some((r) => r.exchange === '' || r.exchange === '.')) {
    return { kind: 'permanent', status: '5.1.10', reason: `domain ${domain} accepts no mail (null MX)` };
  }

  // RFC 5321 5.1: without MX records the domain is its own mail host.
  const names =
    records.length === 0
      ? [domain]
      : [...new Set(records.map((r) => r.priority))]
          .sort((a, b) => a - b)
          // Hosts of equal preference are tried in random order (RFC 5321 5.1).
          .flatMap((priority) => shuffle(records.filter((r) => r.priority === priority).map((r) => r.exchange.toLowerCase())));

  const hosts: MailHost[] = [];
  let lookupFailure: unknown = null;
  for (const name of [...new Set(names)]) {
    try {
      const addresses = await resolver.resolveAddresses(name);
      if (addresses.length > 0) hosts.push({ name, addresses });
    } catch (error) {
      lookupFailure = error;
    }
  }
  if (hosts.length > 0) return { kind: 'hosts', hosts };
  if (lookupFailure) return { kind: 'temporary', status: '4.4.3', reason: `address lookup failed: ${dnsProblem(lookupFailure)}` };
  return records.length === 0
    ? { kind: 'permanent', status: '5.1.2', reason: `domain ${domain} has no MX and no address` }
    : // RFC 3463 X.4.4: the MX hosts named do not resolve.
      { kind: 'permanent', status: '5.4.4', reason: `no MX host of ${domain} has an address` };
}
