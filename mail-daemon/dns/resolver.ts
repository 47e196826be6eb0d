// The one DNS resolver of the daemon, for outgoing mail (MX, A/AAAA) and for
// mail authentication (TXT): the system's resolvers, or DNS_SERVERS when set
// (tests point it at their own DNS server on loopback). Its resolve() has the
// shape of dns.promises.resolve, which mailauth also takes.
import { Resolver } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { DnsServer } from '../config/config.ts';
import { queryMx, queryRecords } from './mx-query.ts';
import { dropOldest } from '../limits/oldest-first.ts';

export interface MxRecord {
  exchange: string;
  priority: number;
}

export interface MailResolver {
  /** Empty when the domain has no MX (NODATA); ENOTFOUND when it does not exist. */
  resolveMx(domain: string): Promise<MxRecord[]>;
  /** IPv4 addresses first, then IPv6; empty when the name has neither. */
  resolveAddresses(host: string): Promise<string[]>;
  resolveTxt(name: string): Promise<string[][]>;
  resolve4(name: string): Promise<string[]>;
  resolve6(name: string): Promise<string[]>;
  /** `dns.promises.resolve` shape, for mailauth's `resolver` option. */
  resolve(name: string, rrtype: string): Promise<unknown[]>;
}

// A missing name or a missing record type: a definite answer, not a failure.
const NO_ANSWER = new Set(['ENODATA', 'ENOTFOUND']);

export function isNoAnswer(error: unknown): boolean {
  return NO_ANSWER.has((error as NodeJS.ErrnoException)?.code ?? '');
}

/** c-ares takes "ip", "ip:port" and "[ipv6]:port". */
export function resolverAddress(server: DnsServer): string {
  if (server.port === 53) return server.host;
  return isIP(server.host) === 6 ? `[${server.host}]:${server.port}` : `${server.host}:${server.port}`;
}

interface Answer<T> {
  value: T;
  /** Seconds the answer may be kept (RFC 1035 3.2.1); Infinity when the DNS gives none. */
  ttl: number;
}

/** How long answers are kept at most: their TTL, up to a day, as resolvers cap them (Unbound's cache-max-ttl). */
export const DNS_CACHE_MAX_MS = 86_400_000;

// An answer that comes without a TTL (c-ares gives none for a missing name or
// type, nor does a NODATA answer without an SOA) is kept this long.
const UNTIMED_ANSWER_MS = 60_000;

/**
 * Answers kept per name for their TTL, at most `maxMs`, and a lookup in
 * flight shared by all who ask meanwhile: a queue sending to one domain asks
 * once, not once per message. Failures are not kept.
 */
function answerCache<T>(maxMs: number, maxNames: number, lookup: (name: string) => Promise<Answer<T>>): (name: string) => Promise<T> {
  const kept = new Map<string, { until: number; answer: Promise<T> }>();
  return (name) => {
    const key = name.toLowerCase();
    const now = Date.now();
    const hit = kept.get(key);
    if (hit && hit.until > now) return hit.answer;
    // Names asked once are dropped when the map grows, not kept forever.
    if (kept.size >= maxNames) {
      for (const [k, e] of kept) if (e.until <= now) kept.delete(k);
      // Still full of live answers (made-up sender domains, each with a day's TTL from its own DNS).
      dropOldest(kept, maxNames);
    }
    const entry = { until: Infinity, answer: undefined as unknown as Promise<T> };
    const forget = () => {
      if (kept.get(key) === entry) kept.delete(key);
    };
    entry.answer = lookup(key).then(
      (a) => {
        entry.until = Date.now() + Math.min(maxMs, Number.isFinite(a.ttl) ? a.ttl * 1000 : UNTIMED_ANSWER_MS);
        if (entry.until <= Date.now()) forget();
        return a.value;
      },
      (error) => {
        forget();
        throw error;
      },
    );
    kept.set(key, entry);
    return entry.answer;
  };
}

const MAX_CACHED_NAMES = 10_000;

/** cacheMs: answers are kept for their TTL up to this (0: not kept); maxNames: names kept per kind of question (MAX_CACHED_NAMES). */
export function createMailResolver(servers: DnsServer[], options: { timeoutMs?: number; tries?: number; cacheMs?: number; maxNames?: number } = {}): MailResolver {
  const resolver = new Resolver({ timeout: options.timeoutMs ?? 3000, tries: options.tries ?? 2 });
  if (servers.length > 0) resolver.setServers(servers.map(resolverAddress));

  async function addressesOf(host: string, family: 4 | 6): Promise<Answer<string[]>> {
    try {
      const records = family === 4 ? await resolver.resolve4(host, { ttl: true }) : await resolver.resolve6(host, { ttl: true });
      return { value: records.map((r) => r.address), ttl: Math.min(...records.map((r) => r.ttl)) };
    } catch (error) {
      // No TTL comes with a missing answer (UNTIMED_ANSWER_MS).
      if (isNoAnswer(error)) return { value: [], ttl: Infinity };
      throw error;
    }
  }

  async function addresses(host: string): Promise<Answer<string[]>> {
    const [v4, v6] = await Promise.allSettled([addressesOf(host, 4), addressesOf(host, 6)]);
    // One family failing (e.g. a server that drops AAAA queries) is not
    // fatal while the other answered.
    if (v4.status === 'rejected' && v6.status === 'rejected') throw v4.reason;
    const answered = [v4, v6].flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    return { value: answered.flatMap((a) => a.value), ttl: Math.min(...answered.map((a) => a.ttl)) };
  }

  // Node's resolveMx gives no TTL: MX questions are asked by queryMx. NODATA is no MX (an empty list).
  const queryOptions = { timeoutMs: options.timeoutMs ?? 3000, tries: options.tries ?? 2 };
  const mx = (domain: string): Promise<Answer<MxRecord[]>> =>
    queryMx(resolver.getServers(), domain, queryOptions).then(({ records, ttl }) => ({ value: records, ttl }));
  const cacheMs = options.cacheMs ?? 0;
  const cached = <T>(lookup: (name: string) => Promise<Answer<T>>) => answerCache(cacheMs, options.maxNames ?? MAX_CACHED_NAMES, lookup);
  const uncached = <T>(lookup: (name: string) => Promise<Answer<T>>) => (name: string) => lookup(name).then((a) => a.value);
  // TXT (SPF, DKIM, DMARC, ARC for the inbound checks) is asked by queryRecords too, for its TTL; a missing name (null) is an answer like any.
  const txt = (name: string): Promise<Answer<string[][] | null>> =>
    queryRecords(resolver.getServers(), name, 'TXT', queryOptions).then((a) => ({ value: 'missing' in a ? null : a.records, ttl: a.ttl }));
  const txtOf = cacheMs > 0 ? cached(txt) : uncached(txt);
  /** As Node's resolveTxt answers: ENOTFOUND for a missing name, ENODATA for no TXT record; a copy, so no caller changes the kept answer. */
  const resolveTxt = async (name: string): Promise<string[][]> => {
    const records = await txtOf(name);
    if (!records?.length) throw Object.assign(new Error(`queryTxt ${records ? 'ENODATA' : 'ENOTFOUND'} ${name}`), { code: records ? 'ENODATA' : 'ENOTFOUND', hostname: name, syscall: 'queryTxt' });
    return records.map((strings) => [...strings]);
  };

  return {
    resolveMx: cacheMs > 0 ? cached(mx) : uncached(mx),
    resolveAddresses: cacheMs > 0 ? cached(addresses) : uncached(addresses),
    resolveTxt,
    resolve4: (name) => resolver.resolve4(name),
    resolve6: (name) => resolver.resolve6(name),
    resolve: (name, rrtype) => (rrtype === 'TXT' ? resolveTxt(name) : (resolver.resolve(name, rrtype as 'A') as Promise<unknown[]>)),
  };
}
