import type { ReactNode } from 'react';

export const dynamic = 'force-dynamic';

// Each page checks its own rights through forPage(); the layout only groups.
export default function AdminLayout({ children }: { children: ReactNode }) {
  return children;
}
