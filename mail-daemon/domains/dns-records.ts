// The DNS records a hosted domain publishes: ownership proof, MX, SPF, DKIM,
// DMARC, and client autoconfiguration (Thunderbird autoconfig, RFC 6186 SRV).
import type { Domain } from '../../prisma/generated/sqlite/client.ts';
import { dkimTxtValue } from './dkim.ts';

export interface DnsRecord {
  /** What the record is for, e.g. "MX" or "DKIM". */
  purpose: string;
  name: string;
  type: 'MX' | 'TXT' | 'CNAME' | 'SRV';
  value: string;
  required: boolean;
}

export const VERIFY_PREFIX = 'mail-verify=';

export function dnsRecordsFor(domain: Pick<Domain, 'name' | 'verifyToken' | 'dkimSelector' | 'dkimPublicKey'>, mailHostname: string): DnsRecord[] {
  const host = `${mailHostname}.`;
  const d = domain.name;
  return [
    { purpose: 'Ownership', name: d, type: 'TXT', value: `${VERIFY_PREFIX}${domain.verifyToken}`, required: true },
    { purpose: 'MX', name: d, type: 'MX', value: `10 ${host}`, required: true },
    { purpose: 'SPF', name: d, type: 'TXT', value: 'v=spf1 mx -all', required: true },
    { purpose: 'DKIM', name: `${domain.dkimSelector}._domainkey.${d}`, type: 'TXT', value: dkimTxtValue(domain.dkimPublicKey), required: true },
    { purpose: 'DMARC', name: `_dmarc.${d}`, type: 'TXT', value: `v=DMARC1; p=quarantine; rua=mailto:postmaster@${d}`, required: true },
    { purpose: 'Autoconfig', name: `autoconfig.${d}`, type: 'CNAME', value: host, required: false },
    { purpose: 'IMAP (RFC 6186)', name: `_imaps._tcp.${d}`, type: 'SRV', value: `0 1 993 ${host}`, required: false },
    { purpose: 'POP3 (RFC 6186)', name: `_pop3s._tcp.${d}`, type: 'SRV', value: `0 1 995 ${host}`, required: false },
    { purpose: 'Submission (RFC 8314)', name: `_submissions._tcp.${d}`, type: 'SRV', value: `0 1 465 ${host}`, required: false },
  ];
}

/** Zone-file lines, as `mailctl dns` prints them. */
export function formatZone(records: DnsRecord[]): string {
  return records
    .map((r) => {
      const value = r.type === 'TXT' ? `"${r.value.replace(/"/g, '\\"')}"` : r.value;
      return `${`${r.name}.`.padEnd(40)} 3600 IN ${r.type.padEnd(5)} ${value}   ; ${r.purpose}${r.required ? '' : ' (optional)'}`;
    })
    .join('\n');
}
