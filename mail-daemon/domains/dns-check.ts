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
  const prefix = /^(v=spf1|v=DKIM1|v=DMARC1|mail-verify=)/i.exec(record.value)?.[1]?.toLowerCase();
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
