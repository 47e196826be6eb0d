import { loadConfig } from '@/mail-daemon/config.ts';
import { getDatabase } from '@/prisma/database.ts';

// Read from the database on every request; `next build` never opens it.
export const dynamic = 'force-dynamic';

function plural(count: number, word: string): string {
  return `${word}${count === 1 ? '' : 's'}`;
}

export default async function HomePage() {
  const { hostname } = loadConfig();
  const { prisma } = await getDatabase();
  const [domains, accounts] = await Promise.all([prisma.domain.count(), prisma.account.count()]);

  return (
    <main className="mx-auto flex max-w-2xl flex-col gap-8 px-6 py-16">
      <header className="flex items-center gap-3">
        <img src="/favicon.svg" alt="" width={40} height={40} />
        <div>
          <h1 className="text-2xl font-semibold">Mail</h1>
          <p className="text-muted" data-testid="hostname">{hostname}</p>
        </div>
      </header>

      <dl className="grid grid-cols-2 gap-4">
        <div className="rounded-lg border border-border bg-surface p-4">
          <dd className="text-3xl font-semibold tabular-nums" data-testid="domain-count">{domains}</dd>
          <dt className="text-muted">hosted {plural(domains, 'domain')}</dt>
        </div>
        <div className="rounded-lg border border-border bg-surface p-4">
          <dd className="text-3xl font-semibold tabular-nums" data-testid="account-count">{accounts}</dd>
          <dt className="text-muted">{plural(accounts, 'account')}</dt>
        </div>
      </dl>

      {domains === 0 ? (
        <NextStep title="Add your first domain">
          npm run mailctl -- domain add example.com
        </NextStep>
      ) : accounts === 0 ? (
        <NextStep title="Create the first account">
          npm run mailctl -- user add you@example.com --password '…'
        </NextStep>
      ) : null}
    </main>
  );
}

function NextStep({ title, children }: { title: string; children: string }) {
  return (
    <section className="flex flex-col gap-2">
      <h2 className="font-medium">{title}</h2>
      <p className="text-muted">On the server, in the platform&apos;s directory, run:</p>
      <pre className="overflow-x-auto rounded-lg border border-border bg-surface p-4 font-mono text-sm">
        <code>{children}</code>
      </pre>
    </section>
  );
}
