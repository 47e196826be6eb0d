'use client';
// The DNS records to publish, one card per record (long names and values
// wrap inside their own line, never over the next column), each value with a
// copy button; after "Check DNS" what was found beside what is expected, and
// the mail host's A/AAAA and reverse DNS with advice.
import { useState } from 'react';
import type { DnsRecord } from '@/mail-daemon/domains/dns-records.ts';
import type { DnsCheck, MailHostCheck } from '@/mail-daemon/domains/dns-check.ts';
import { CopyButton } from './copy-button.tsx';

const STATUS: Record<DnsCheck['status'], { text: string; colour: string }> = {
  found: { text: 'Found', colour: 'text-success' },
  missing: { text: 'Missing', colour: 'text-danger' },
  different: { text: 'Different', colour: 'text-warning' },
  error: { text: 'Lookup failed', colour: 'text-danger' },
};

function Value({ label, value, testId }: { label: string; value: string; testId: string }) {
  return (
    <div className="grid min-w-0 grid-cols-[4rem_minmax(0,1fr)_auto] items-start gap-2">
      <span className="pt-0.5 text-xs text-muted">{label}</span>
      <code className="min-w-0 break-all rounded bg-background px-2 py-1 font-mono text-xs" data-testid={testId}>{value}</code>
      <CopyButton value={value} label={label.toLowerCase()} />
    </div>
  );
}

export function DnsRecordsTable({ domain, records, verified }: { domain: string; records: DnsRecord[]; verified: boolean }) {
  const [checks, setChecks] = useState<DnsCheck[] | null>(null);
  const [host, setHost] = useState<MailHostCheck | null>(null);
  const [isVerified, setVerified] = useState(verified);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState('');
  const check = async () => {
    setPending(true);
    setError('');
    try {
      const response = await fetch(`/api/domains/${encodeURIComponent(domain)}/dns-check`, { cache: 'no-store' });
      if (!response.ok) throw new Error(`The check failed (${response.status}).`);
      const body = (await response.json()) as { verified: boolean; checks: DnsCheck[]; host: MailHostCheck };
      setChecks(body.checks);
      setHost(body.host);
      setVerified(body.verified);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setPending(false);
    }
  };
  return (
    <div className="flex min-w-0 flex-col gap-3">
      <p className="text-sm" data-testid="verification">
        {isVerified ? 'Ownership verified: the domain receives mail.' : 'Not verified yet: publish the Ownership TXT record, then check. Until then its mailboxes cannot log in, send or receive mail.'}
      </p>
      <div className="flex items-center gap-3">
        <button type="button" onClick={check} disabled={pending} className="btn btn-primary">
          {pending ? 'Checking…' : 'Check DNS'}
        </button>
        {error ? <span className="text-sm text-danger" role="alert">{error}</span> : null}
      </div>
      <ul className="flex min-w-0 flex-col gap-3">
        {records.map((record, index) => {
          const result = checks?.[index];
          // Once verified, the ownership record has done its job: its absence is no fault.
          const settled = record.purpose === 'Ownership' && isVerified && result && result.status !== 'found';
          const status = settled ? { text: 'Not needed any more', colour: 'text-muted' } : result ? STATUS[result.status] : { text: 'Not checked', colour: 'text-muted' };
          return (
            <li key={`${record.purpose}-${record.name}`} className="flex min-w-0 flex-col gap-2 rounded-md border border-border bg-background/40 p-3" data-testid={`dns-${record.purpose}`}>
              <div className="flex flex-wrap items-center gap-2 text-sm">
                <span className="font-medium">{record.purpose}</span>
                <span className="badge" data-testid="dns-type">{record.type}</span>
                {record.required ? null : <span className="text-xs text-muted">optional</span>}
                <span className={`ml-auto font-medium ${status.colour}`} data-testid="dns-status">{status.text}</span>
              </div>
              <Value label="Name" value={record.name} testId="dns-name" />
              <Value label="Value" value={record.value} testId="dns-value" />
              {result && !settled && result.status !== 'found' ? (
                <div className="grid min-w-0 grid-cols-[4rem_minmax(0,1fr)] gap-2 text-xs" data-testid="dns-found">
                  <span className="text-muted">Found</span>
                  <span className="min-w-0 break-all font-mono">{result.found.length ? result.found.join(' | ') : 'nothing at this name'}</span>
                </div>
              ) : null}
            </li>
          );
        })}
      </ul>
      {host ? (
        <section className="flex flex-col gap-2 rounded-md border border-border p-3 text-sm" data-testid="mail-host" aria-label="Mail host">
          <h3 className="font-medium">Mail host {host.host}: A/AAAA and reverse DNS (PTR)</h3>
          {host.addresses.length ? (
            <ul className="flex flex-col gap-1 font-mono text-xs">
              {host.addresses.map((a) => (
                <li key={a.ip} className="break-all">
                  {a.family === 4 ? 'A' : 'AAAA'} {a.ip} · PTR {a.ptr.length ? a.ptr.join(', ') : 'none'} <span className={a.matches ? 'text-success' : 'text-danger'}>{a.matches ? '(matches)' : '(does not name the host)'}</span>
                </li>
              ))}
            </ul>
          ) : null}
          {host.advice.length ? <ul className="list-disc pl-5">{host.advice.map((a) => <li key={a}>{a}</li>)}</ul> : <p className="text-success">The host's addresses and reverse DNS agree.</p>}
        </section>
      ) : (
        <p className="text-sm text-muted">The mail host {''}needs an A record (AAAA for IPv6) and a reverse DNS (PTR) entry naming it; "Check DNS" looks at both.</p>
      )}
    </div>
  );
}
