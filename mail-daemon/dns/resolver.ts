// The one DNS resolver of the daemon, for outgoing mail (MX, A/AAAA) and for
// mail authentication (TXT): the system's resolvers, or DNS_SERVERS when set
// (tests point it at their own DNS server on loopback). Its resolve() has the
// shape of dns.promises.resolve, which mailauth also takes.
import { Resolver } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { DnsServer } from '../config.ts';

export interface MxRecord {
  exchange: string;
  priority: number;
}

export interface MailResolver {
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

export function createMailResolver(servers: DnsServer[], options: { timeoutMs?: number; tries?: number } = {}): MailResolver {
  const resolver = new Resolver({ timeout: options.timeoutMs ?? 3000, tries: options.tries ?? 2 });
  if (servers.length > 0) resolver.setServers(servers.map(resolverAddress));

  async function addressesOf(host: string, family: 4 | 6): Promise<string[]> {
    try {
      return family === 4 ? await resolver.resolve4(host) : await resolver.resolve6(host);
    } catch (error) {
      if (isNoAnswer(error)) return [];
      throw error;
    }
  }

  return {
    resolveMx: (domain) => resolver.resolveMx(domain).then((records) => records.map(({ exchange, priority }) => ({ exchange, priority }))),
    async resolveAddresses(host) {
      const [v4, v6] = await Promise.allSettled([addressesOf(host, 4), addressesOf(host, 6)]);
      // One family failing (e.g. a server that drops AAAA queries) is not
      // fatal while the other answered.
      if (v4.status === 'rejected' && v6.status === 'rejected') throw v4.reason;
      return [...(v4.status === 'fulfilled' ? v4.value : []), ...(v6.status === 'fulfilled' ? v6.value : [])];
    },
    resolveTxt: (name) => resolver.resolveTxt(name),
    resolve4: (name) => resolver.resolve4(name),
    resolve6: (name) => resolver.resolve6(name),
    resolve: (name, rrtype) => resolver.resolve(name, rrtype as 'A') as Promise<unknown[]>,
  };
}
