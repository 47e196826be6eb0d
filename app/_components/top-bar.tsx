// The bar across the top of every signed-in page: the product's name (to the
// inbox) and the main navigation.
import Link from 'next/link';
import type { NavAccount } from '../_lib/nav-account.ts';
import { MainNav } from './main-nav.tsx';

export function TopBar({ account }: { account: NavAccount }) {
  return (
    <header className="flex items-center gap-2 border-b border-border bg-background px-3 py-2">
      <Link href="/mail" className="mr-1 shrink-0 font-semibold" aria-label="Mail home"><span aria-hidden="true">✉</span><span className="hidden sm:inline"> Mail</span></Link>
      <div className="min-w-0 flex-1"><MainNav account={account} /></div>
    </header>
  );
}
