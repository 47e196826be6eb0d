// The delivery log, newest first, searched by address, message id, the id of
// the Received: field, status or detail.
import { searchDeliveryLog } from '@/mail-daemon/delivery/delivery-log.ts';
import { PageShell, Section } from '../../../_components/page-shell.tsx';
import { PlatformTabs } from '../../../_components/platform-tabs.tsx';
import { DataTable, formatMoment } from '../../../_components/data-table.tsx';
import { forPage, requirePlatformAdmin } from '../../../_lib/session.ts';

export const metadata = { title: 'Delivery log · Platform' };

const PAGE_SIZE = 200;

export default async function DeliveryLogPage({ searchParams }: { searchParams: Promise<{ q?: string }> }) {
  const { store, account } = await forPage(requirePlatformAdmin);
  const q = String((await searchParams).q ?? '').trim().slice(0, 200);
  const rows = await searchDeliveryLog(store, q, PAGE_SIZE);
  return (
    <PageShell account={account} title="Delivery log" above={<PlatformTabs />}>
      <form className="flex min-w-0 gap-2" method="get" role="search" aria-label="Search the delivery log">
        <input name="q" defaultValue={q} placeholder="Address, message id, Received id, status…" aria-label="Search the delivery log" className="input max-w-80" />
        <button type="submit" className="btn btn-primary">Search</button>
      </form>
      <Section title={q ? `${rows.length} matching “${q}”` : `Latest ${rows.length}`} testId="delivery-log">
        <DataTable label="Delivery log" columns={['Time', 'Kind', 'From', 'To', 'Status', 'Received id', 'Detail']} small>
            {rows.map((r) => (
              <tr key={r.id} className="border-t border-border align-top">
                <td className="pr-3 whitespace-nowrap">{formatMoment(r.createdAt)}</td>
                <td className="pr-3">{r.kind}</td>
                <td className="pr-3">{r.mailFrom || '<>'}</td>
                <td className="pr-3 break-all">{r.rcptTo}</td>
                <td className="pr-3">{r.status}</td>
                <td className="pr-3 font-mono">{r.receivedId}</td>
                <td className="break-all">{r.detail}</td>
              </tr>
            ))}
        </DataTable>
      </Section>
    </PageShell>
  );
}
