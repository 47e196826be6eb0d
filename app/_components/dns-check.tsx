'use client';
// The DNS records to publish, with a per-record status after "Check DNS".
import { useState } from 'react';
import type { DnsRecord } from '@/mail-daemon/domains/dns-records.ts';

interface Check extends DnsRecord {
  status: 'found' | 'missing' | 'different' | 'error';
  found: string[];
}

const COLOURS: Record<Check['status'], string> = { found: 'text-green-600', missing: 'text-red-600', different: 'text-amber-600', error: 'text-red-600' };

export function DnsRecordsTable({ domain, records, verified }: { domain: string; records: DnsRecord[]; verified: boolean }) {
  const [checks, setChecks] = useState<Check[] | null>(null);
  const [isVerified, setVerified] = useState(verified);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState('');
  const check = async () => {
    setPending(true);
    setError('');
    try {
      const response = await fetch(`/api/domains/${encodeURIComponent(domain)}/dns-check`, { cache: 'no-store' });
      if (!response.ok) throw new Error(`The check failed (${response.status}).`);
      const body = (await response.json()) as { verified: boolean; checks: Check[] };
      setChecks(body.checks);
      setVerified(body.verified);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setPending(false);
    }
  };
  return (
    <div className="flex flex-col gap-3">
      <p className="text-sm" data-testid="verification">
        {isVerified ? 'Ownership verified: the domain receives mail.' : 'Not verified yet: publish the Ownership TXT record, then check. Until then its mailboxes cannot log in, send or receive mail.'}
      </p>
      <div className="flex items-center gap-3">
        <button type="button" onClick={check} disabled={pending} className="rounded-md bg-accent px-3 py-1.5 text-sm font-medium text-accent-foreground disabled:opacity-50">
          {pending ? 'Checking…' : 'Check DNS'}
        </button>
        {error ? <span className="text-sm text-red-600">{error}</span> : null}
      </div>
      <table className="w-full table-fixed text-left text-sm">
        <thead>
          <tr>
            <th className="w-32">Purpose</th><th className="w-16">Type</th><th>Name</th><th>Value</th><th className="w-40">Status</th>
          </tr>
        </thead>
        <tbody>
          {records.map((record, index) => {
            const result = checks?.[index];
            return (
              <tr key={`${record.purpose}-${record.name}`} className="border-t border-border align-top" data-testid={`dns-${record.purpose}`}>
                <td className="py-1">{record.purpose}{record.required ? '' : ' (optional)'}</td>
                <td>{record.type}</td>
                <td className="break-all font-mono">{record.name}</td>
                <td className="break-all font-mono text-xs">{record.value}</td>
                <td data-testid="dns-status" className={result ? COLOURS[result.status] : 'text-muted'}>
                  {result ? result.status : 'not checked'}
                  {result && (result.status === 'different' || result.status === 'error') ? (
                    <span className="block break-all font-mono text-xs">{result.found.join(' | ')}</span>
                  ) : null}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
