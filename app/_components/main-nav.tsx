'use client';
// The one navigation of every signed-in page, the webmail included: Mail,
// Settings, Domains (for those who administer one), Platform (for platform
// admins), the current place marked with aria-current; then who is signed
// in, and Sign out.
import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { useEffect, useState } from 'react';
import { SignOutButton } from './sign-out-button.tsx';
import type { NavAccount } from '../_lib/nav-account.ts';

const PLACES = [
  { href: '/mail', label: 'Mail', shows: () => true },
  { href: '/settings', label: 'Settings', shows: () => true },
  { href: '/domains', label: 'Domains', shows: (a: NavAccount) => a.domainAdmin },
  { href: '/admin', label: 'Platform', shows: (a: NavAccount) => a.platformAdmin },
];

export function MainNav({ account }: { account: NavAccount }) {
  const path = usePathname() ?? '';
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);
  return (
    <nav aria-label="Main" data-hydrated={hydrated} className="flex min-w-0 items-center gap-1 text-sm" data-testid="main-nav">
      <ul className="flex min-w-0 items-center gap-1">
        {PLACES.filter((p) => p.shows(account)).map((p) => {
          const current = path === p.href || path.startsWith(`${p.href}/`);
          return (
            <li key={p.href}>
              <Link href={p.href} aria-current={current ? 'page' : undefined} className={`nav-link ${current ? 'nav-link-current' : ''}`}>
                {p.label}
              </Link>
            </li>
          );
        })}
      </ul>
      <span className="ml-auto hidden truncate pl-3 text-muted lg:inline" data-testid="signed-in-as">{account.address}</span>
      <span className="ml-auto pl-2 lg:ml-0"><SignOutButton /></span>
    </nav>
  );
}
