import { listQueue } from '@/mail-daemon/queue/queue-admin.ts';
import { ButtonForm } from '../../../_components/button-form.tsx';
import { PageShell, Section } from '../../../_components/page-shell.tsx';
import { PlatformTabs } from '../../../_components/platform-tabs.tsx';
import { DataTable, formatMoment } from '../../../_components/data-table.tsx';
import { forPage, requirePlatformAdmin } from '../../../_lib/session.ts';
import { retryQueueEntryAction } from '../../../_actions/retry-queue-entry.ts';
import { deleteQueueEntryAction } from '../../../_actions/delete-queue-entry.ts';
import { liftSendLimitAction } from '../../../_actions/lift-send-limit.ts';
import { listLimitedAccounts } from '@/mail-daemon/spam/send-limits.ts';

export const metadata = { title: 'Queue · Platform' };

export default async function QueuePage() {
  const { store, account } = await forPage(requirePlatformAdmin);
  const [entries, limited] = await Promise.all([listQueue(store), listLimitedAccounts(store)]);
  return (
    <PageShell account={account} title="Outbound queue" above={<PlatformTabs />}>
      {limited.length > 0 ? (
        <Section title="Accounts over a sending limit" testId="send-limits">
          <p className="text-sm text-muted">Their submissions get 451 until the limit is lifted (or the hour or day has passed).</p>
          <DataTable label="Accounts over a sending limit">
              {limited.map((l) => (
                <tr key={l.accountId} className="border-t border-border align-top" data-testid={`send-limit-${l.address}`}>
                  <td className="py-2 pr-4">{l.address}</td>
                  <td className="pr-4 text-muted">{l.reason}, hit {formatMoment(l.hitAt)}</td>
                  <td>
                    <ButtonForm action={liftSendLimitAction} fields={{ id: l.accountId }} submit="Lift limit" />
                  </td>
                </tr>
              ))}
          </DataTable>
        </Section>
      ) : null}
      <Section title={`${entries.length} waiting`} testId="queue">
        {entries.length === 0 ? <p className="text-sm text-muted">The queue is empty.</p> : null}
        <DataTable label="Queue">
            {entries.map((e) => (
              <tr key={e.id} className="border-t border-border align-top" data-testid={`queue-${e.id}`}>
                <td className="py-2 pr-4 tabular-nums">#{e.id}</td>
                <td className="pr-4">
                  <div>From {e.mailFrom || '<>'} · {e.size} bytes · {e.attempts} attempt{e.attempts === 1 ? '' : 's'} · next {formatMoment(e.nextAttemptAt)}</div>
                  {e.recipients.map((r) => (
                    <div key={r.address} className="text-muted">{r.address}: {r.status}{r.lastError ? ` (${r.lastError})` : ''}</div>
                  ))}
                  {e.lastError ? <div className="text-danger">Last error: {e.lastError}</div> : null}
                </td>
                <td className="flex gap-2">
                  <ButtonForm action={retryQueueEntryAction} fields={{ id: e.id }} submit="Retry now" />
                  <ButtonForm action={deleteQueueEntryAction} fields={{ id: e.id }} submit="Delete" danger confirm={`Delete queue entry #${e.id}? It will not be delivered.`} />
                </td>
              </tr>
            ))}
        </DataTable>
      </Section>
    </PageShell>
  );
}
