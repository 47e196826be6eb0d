import type { ReactNode } from 'react';

export const dynamic = 'force-dynamic';

export default function SettingsLayout({ children }: { children: ReactNode }) {
  return children;
}
