// "Check DNS": looks up each record a domain should publish and says whether
// it is there (found), absent (missing), or there with another value
// (different, with what was found). A found ownership record verifies the
// domain.
import type { MailResolver } from '../dns/resolver.ts';
import { isNoAnswer } from '../dns/resolver.ts';
import type { DnsRecord } from './dns-records.ts';

export type DnsStatus = 'found' | 'missing' | 'different' | 'error';

export interface DnsCheck extends DnsRecord {
  status: DnsStatus;
  /** What the lookup returned, for "different" and "error". */
  found: string[];
}

const lowerHost = (name: string) => name.toLowerCase().replace(/\.$/, '');

/** Values in one comparable form: host names without the final dot, spaces squeezed. */
function comparable(type: DnsRecord['type'], value: string): string {
  if (type === 'TXT') return value.replace(/\s+/g, ' ').trim();
  return value.trim().split(/\s+/).map(lowerHost).join(' ');
}

async function lookup(resolver: MailResolver, record: DnsRecord): Promise<string[]> {
  switch (record.type) {
    case 'MX':
      return (await resolver.resolveMx(record.name)).map((mx) => `${mx.priority} ${mx.exchange}`);
    case 'TXT':
      return (await resolver.resolveTxt(record.name)).map((chunks) => chunks.join(''));
    case 'CNAME':
      return (await resolver.resolve(record.name, 'CNAME')) as string[];
    case 'SRV':
      return ((await resolver.resolve(record.name, 'SRV')) as { priority: number; weight: number; port: number; name: string }[]).map(
        (srv) => `${srv.priority} ${srv.weight} ${srv.port} ${srv.name}`,
      );
  }
}

/** Which found values are "the same record" for a status of different (not just any TXT at the name). */
function sameKind(record: DnsRecord, value: string): boolean {
  if (record.type !== 'TXT') return true;
  const prefix = /^(v=spf1|v=DKIM1|v=DMARC1|v=STSv1|v=TLSRPTv1|mail-verify=)/i.exec(record.value)?.[1]?.toLowerCase();
  return prefix ? value.toLowerCase().startsWith(prefix) : true;
}

export async function checkDnsRecord(resolver: MailResolver, record: DnsRecord): Promise<DnsCheck> {
  let values: string[];
  try {
    values = await lookup(resolver, record);
  } catch (error) {
    if (isNoAnswer(error)) return { ...record, status: 'missing', found: [] };
    return { ...record, status: 'error', found: [(error as Error).message] };
  }
  const wanted = comparable(record.type, record.value);
  if (values.some((v) => comparable(record.type, v) === wanted)) return { ...record, status: 'found', found: values };
  const relevant = values.filter((v) => sameKind(record, v));
  return relevant.length === 0 ? { ...record, status: 'missing', found: [] } : { ...record, status: 'different', found: relevant };
}

export function checkDnsRecords(resolver: MailResolver, records: DnsRecord[]): Promise<DnsCheck[]> {
  return Promise.all(records.map((record) => checkDnsRecord(resolver, record)));
}

export interface HostAddressCheck {
  ip: string;
  family: 4 | 6;
  /** The reverse (PTR) names of the address. */
  ptr: string[];
  /** Forward-confirmed: a PTR name is the mail host itself. */
  matches: boolean;
}

export interface MailHostCheck {
  host: string;
  addresses: HostAddressCheck[];
  /** What to do, in words; empty when all is well. */
  advice: string[];
}

/** The name a PTR lookup asks for (RFC 1035 3.5, RFC 3596 2.5). */
export function reverseName(ip: string): string {
  if (!ip.includes(':')) return `${ip.split('.').reverse().join('.')}.in-addr.arpa`;
  const [head, tail = ''] = ip.split('::');
  const groups = (part: string) => (part ? part.split(':') : []);
  const missing = 8 - groups(head).length - groups(tail).length;
  const full = [...groups(head), ...Array(ip.includes('::') ? missing : 0).fill('0'), ...groups(tail)].map((g) => g.padStart(4, '0')).join('');
  return `${full.split('').reverse().join('.')}.ip6.arpa`;
}

/**
 * The mail host's own records: its A/AAAA addresses and, for each, whether
 * the reverse DNS names it back, which many receivers require of a sender.
 */
export async function checkMailHost(resolver: MailResolver, hostname: string): Promise<MailHostCheck> {
  const host = lowerHost(hostname);
  const addresses: HostAddressCheck[] = [];
  const advice: string[] = [];
  let ips: string[] = [];
  try {
    ips = await resolver.resolveAddresses(host);
  } catch (error) {
    advice.push(`The addresses of ${host} could not be looked up (${(error as Error).message}).`);
  }
  for (const ip of ips) {
    const ptr = await (resolver.resolve(reverseName(ip), 'PTR') as Promise<string[]>).catch(() => [] as string[]);
    const matches = ptr.some((name) => lowerHost(name) === host);
    addresses.push({ ip, family: ip.includes(':') ? 6 : 4, ptr, matches });
    if (!matches) advice.push(`Ask whoever runs ${ip} (your hosting provider) to set its reverse DNS (PTR) to ${host}; ${ptr.length ? `it names ${ptr.join(', ')} now` : 'it has none now'}. Many receivers refuse mail from an address whose PTR does not name the sending host.`);
  }
  if (ips.length === 0 && advice.length === 0) advice.push(`Publish an A record for ${host} with this server's public IPv4 address (and an AAAA record for its IPv6 address, if it has one): the MX record points there.`);
  if (ips.length > 0 && !addresses.some((a) => a.family === 6)) advice.push(`If this server has an IPv6 address, publish it as an AAAA record for ${host}, with its PTR too; otherwise send over IPv4 only.`);
  return { host, addresses, advice };
}
