// DNS blocklists (RFC 5782): a client address is listed in a zone when
// <reversed address>.<zone> has an A record in 127.0.0.0/8 (2.1); the TXT
// record there says why (2.2). IPv4 reversed by octets, IPv6 by nibbles
// (2.4). Lookup failures count as not listed: a blocklist that is down must
// not stop mail. 127.255.255.0/24 is what some lists answer for refused
// queries (e.g. through public resolvers), not a listing.
import { isIP } from 'node:net';
import type { MailResolver } from '../dns/resolver.ts';
import { ipv6Groups } from '../dns/ip-address.ts';

export interface Listing {
  zone: string;
  /** The A record, e.g. 127.0.0.2. */
  code: string;
  /** The TXT record, or "" when there is none. */
  reason: string;
}

export function reversedAddress(ip: string): string | null {
  const address = ip.replace(/^::ffff:/i, '');
  if (isIP(address) === 4) return address.split('.').reverse().join('.');
  if (isIP(address) !== 6) return null;
  return ipv6Groups(address).map((g) => g.padStart(4, '0')).join('').split('').reverse().join('.');
}

async function lookup(resolver: MailResolver, zone: string, name: string): Promise<Listing | null> {
  const codes = await resolver.resolve4(name).catch(() => [] as string[]);
  const code = codes.find((a) => a.startsWith('127.') && !a.startsWith('127.255.255.'));
  if (!code) return null;
  const txt = await resolver.resolveTxt(name).catch(() => [] as string[][]);
  return { zone, code, reason: txt.map((parts) => parts.join('')).join(' ').slice(0, 200) };
}

/** The first listing of `ip` among `zones` (asked all at once), in the order the zones are configured. */
export async function dnsblListing(resolver: MailResolver, zones: string[], ip: string): Promise<Listing | null> {
  const reversed = reversedAddress(ip);
  if (!reversed || zones.length === 0) return null;
  const listings = await Promise.all(zones.map((zone) => lookup(resolver, zone, `${reversed}.${zone}`)));
  return listings.find((l) => l !== null) ?? null;
}
