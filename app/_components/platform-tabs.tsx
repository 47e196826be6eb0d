'use client';
// The Platform area's own pages.
import Link from 'next/link';
import { usePathname } from 'next/navigation';

const TABS = [
  { href: '/admin', label: 'Overview' },
  { href: '/admin/queue', label: 'Queue' },
  { href: '/admin/log', label: 'Delivery log' },
];

export function PlatformTabs() {
  const path = usePathname();
  return (
    <nav aria-label="Platform" className="-mb-2 flex gap-1 text-sm">
      {TABS.map((t) => (
        <Link key={t.href} href={t.href} aria-current={path === t.href ? 'page' : undefined} className={`nav-link ${path === t.href ? 'nav-link-current' : ''}`}>{t.label}</Link>
      ))}
    </nav>
  );
}
