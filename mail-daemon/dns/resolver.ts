// The one DNS resolver of the daemon: the system's resolvers, or DNS_SERVERS
// when set (tests point it at their own DNS server on loopback). Its resolve()
// has the shape of dns.promises.resolve, which mailauth also takes.
import { promises as dns } from 'node:dns';
import type { DnsServer } from '../config.ts';

export type ResolveFunction = (name: string, rrtype: string) => Promise<unknown[]>;

export interface DnsResolver {
  resolve: ResolveFunction;
  resolveMx(name: string): Promise<{ exchange: string; priority: number }[]>;
  resolveTxt(name: string): Promise<string[][]>;
  resolve4(name: string): Promise<string[]>;
  resolve6(name: string): Promise<string[]>;
}

export function createResolver(servers: DnsServer[]): DnsResolver {
  const resolver = new dns.Resolver({ timeout: 3000, tries: 2 });
  if (servers.length > 0) {
    resolver.setServers(servers.map(({ host, port }) => (host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`)));
  }
  return {
    resolve: (name, rrtype) => resolver.resolve(name, rrtype as 'A') as Promise<unknown[]>,
    resolveMx: (name) => resolver.resolveMx(name),
    resolveTxt: (name) => resolver.resolveTxt(name),
    resolve4: (name) => resolver.resolve4(name),
    resolve6: (name) => resolver.resolve6(name),
  };
}
