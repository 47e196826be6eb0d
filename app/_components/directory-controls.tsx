// The search box and the pager of an admin table that is read a page at a
// time (mailboxes, aliases). Plain GET forms and links: the page is a server
// component, and each table keeps its own parameters beside the other's.
import Link from 'next/link';

export function TableSearch({ param, value, label, keep }: { param: string; value: string; label: string; keep: Record<string, string> }) {
  return (
    <form method="get" role="search" aria-label={label} className="flex min-w-0 flex-wrap items-center gap-2">
      {Object.entries(keep).map(([k, v]) => (v ? <input key={k} type="hidden" name={k} value={v} /> : null))}
      <label className="sr-only" htmlFor={`search-${param}`}>{label}</label>
      <input id={`search-${param}`} name={param} type="search" defaultValue={value} placeholder={label} className="input max-w-xs" />
      <button type="submit" className="btn">Search</button>
    </form>
  );
}

export function Pager({
  base,
  param,
  page,
  pageSize,
  total,
  keep,
  what,
}: {
  base: string;
  param: string;
  page: number;
  pageSize: number;
  total: number;
  keep: Record<string, string>;
  what: string;
}) {
  const pages = Math.max(Math.ceil(total / pageSize), 1);
  const href = (to: number) => {
    const query = new URLSearchParams(Object.entries(keep).filter(([, v]) => v));
    if (to > 0) query.set(param, String(to + 1));
    const text = query.toString();
    return text ? `${base}?${text}` : base;
  };
  const from = total === 0 ? 0 : page * pageSize + 1;
  const to = Math.min((page + 1) * pageSize, total);
  return (
    <nav aria-label={`Pages of ${what}`} className="flex flex-wrap items-center gap-3 text-sm">
      <span className="text-muted" data-testid={`${param}-range`}>{total === 0 ? `No ${what}` : `${from.toLocaleString('en')}–${to.toLocaleString('en')} of ${total.toLocaleString('en')} ${what}`}</span>
      {page > 0 ? <Link className="btn btn-small" href={href(page - 1)} rel="prev">Previous</Link> : null}
      {page < pages - 1 ? <Link className="btn btn-small" href={href(page + 1)} rel="next">Next</Link> : null}
    </nav>
  );
}

/** Storage used against the quota, as a bar and in words. */
export function StorageMeter({ used, quota }: { used: bigint; quota: bigint }) {
  const share = quota > 0n ? Math.min(Number((used * 1000n) / quota) / 10, 100) : 0;
  return (
    <div className="flex min-w-28 flex-col gap-1">
      <span className="text-xs tabular-nums">{formatBytes(used)} of {formatBytes(quota)}</span>
      <span className="h-1.5 w-full overflow-hidden rounded-full bg-surface-strong" role="meter" aria-label="Storage used" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(share)}>
        <span className={`block h-full ${share >= 90 ? 'bg-danger' : 'bg-accent'}`} style={{ width: `${share}%` }} />
      </span>
    </div>
  );
}

export function formatBytes(bytes: bigint): string {
  const n = Number(bytes);
  if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(1)} GB`;
  if (n >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  return `${Math.ceil(n / 1024)} KB`;
}
