// The DNS records a hosted domain publishes: ownership proof, MX, SPF, DKIM,
// DMARC, MTA-STS and TLS reporting, and client autoconfiguration
// (Thunderbird autoconfig, RFC 6186 SRV).
import type { Domain } from '../../prisma/generated/sqlite/client.ts';
import type { Config } from '../config/config.ts';
import { clientServers, type ClientServer } from '../settings/client-setup.ts';
import { dkimTxtValue } from './dkim.ts';
import { mtaStsId, mtaStsPolicy } from './mta-sts.ts';

export interface DnsRecord {
  /** What the record is for, e.g. "MX" or "DKIM". */
  purpose: string;
  name: string;
  type: 'MX' | 'TXT' | 'CNAME' | 'SRV';
  value: string;
  required: boolean;
}

export const VERIFY_PREFIX = 'mail-verify=';

/** RFC 6186 and RFC 8314 service names, for implicit TLS and for STARTTLS. */
const SRV_SERVICES: Record<ClientServer['protocol'], { TLS: string; STARTTLS: string; purpose: string }> = {
  IMAP: { TLS: '_imaps', STARTTLS: '_imap', purpose: 'IMAP (RFC 6186)' },
  POP3: { TLS: '_pop3s', STARTTLS: '_pop3', purpose: 'POP3 (RFC 6186)' },
  SMTP: { TLS: '_submissions', STARTTLS: '_submission', purpose: 'Submission (RFC 8314)' },
};

/** The records for a domain served by this daemon: its host name, and SRV records for the client ports that are on. */
export function dnsRecordsFor(domain: Pick<Domain, 'name' | 'verifyToken' | 'dkimSelector' | 'dkimPublicKey'>, server: Pick<Config, 'hostname' | 'ports'>): DnsRecord[] {
  const host = `${server.hostname}.`;
  const d = domain.name;
  // One SRV record per protocol: the port a client should use (implicit TLS first, RFC 8314 3).
  const preferred = new Map<ClientServer['protocol'], ClientServer>();
  for (const entry of clientServers(server)) if (!preferred.has(entry.protocol)) preferred.set(entry.protocol, entry);
  const srv = [...preferred.values()].map((entry): DnsRecord => {
    const service = SRV_SERVICES[entry.protocol];
    return { purpose: service.purpose, name: `${service[entry.security]}._tcp.${d}`, type: 'SRV', value: `0 1 ${entry.port} ${host}`, required: false };
  });
  return [
    { purpose: 'Ownership', name: d, type: 'TXT', value: `${VERIFY_PREFIX}${domain.verifyToken}`, required: true },
    { purpose: 'MX', name: d, type: 'MX', value: `10 ${host}`, required: true },
    { purpose: 'SPF', name: d, type: 'TXT', value: 'v=spf1 mx -all', required: true },
    { purpose: 'DKIM', name: `${domain.dkimSelector}._domainkey.${d}`, type: 'TXT', value: dkimTxtValue(domain.dkimPublicKey), required: true },
    { purpose: 'DMARC', name: `_dmarc.${d}`, type: 'TXT', value: `v=DMARC1; p=quarantine; rua=mailto:postmaster@${d}`, required: true },
    // RFC 8461 3.1: the policy's id; 3.3: the policy itself on the mta-sts host, which this web app serves.
    { purpose: 'MTA-STS', name: `_mta-sts.${d}`, type: 'TXT', value: `v=STSv1; id=${mtaStsId(mtaStsPolicy(server.hostname))}`, required: false },
    { purpose: 'MTA-STS policy host', name: `mta-sts.${d}`, type: 'CNAME', value: host, required: false },
    // RFC 8460 3: where senders report TLS failures.
    { purpose: 'TLS-RPT', name: `_smtp._tls.${d}`, type: 'TXT', value: `v=TLSRPTv1; rua=mailto:postmaster@${d}`, required: false },
    { purpose: 'Autoconfig', name: `autoconfig.${d}`, type: 'CNAME', value: host, required: false },
    ...srv,
  ];
}

// RFC 1035 3.3.14: a TXT record is a list of strings of at most 255 bytes;
// resolvers hand them back in order and a DKIM verifier joins them
// (RFC 6376 3.6.2.2).
const TXT_STRING_BYTES = 255;

/** A TXT value as zone-file text: quoted strings of at most 255 bytes each, never splitting a character. */
export function txtStrings(value: string): string {
  const strings: string[] = [];
  let current = '';
  let bytes = 0;
  for (const char of value) {
    const size = Buffer.byteLength(char);
    if (bytes + size > TXT_STRING_BYTES) {
      strings.push(current);
      current = '';
      bytes = 0;
    }
    current += char;
    bytes += size;
  }
  strings.push(current);
  return strings.map((s) => `"${s.replace(/[\\"]/g, '\\$&')}"`).join(' ');
}

/** Zone-file lines, as `mailctl dns` prints them and the DNS page shows them. */
export function formatZone(records: DnsRecord[]): string {
  return records
    .map((r) => {
      const value = r.type === 'TXT' ? txtStrings(r.value) : r.value;
      return `${`${r.name}.`.padEnd(40)} 3600 IN ${r.type.padEnd(5)} ${value}   ; ${r.purpose}${r.required ? '' : ' (optional)'}`;
    })
    .join('\n');
}
