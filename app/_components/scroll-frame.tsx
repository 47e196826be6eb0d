// A wide table or listing that scrolls sideways inside the page instead of
// widening it (a phone screen stays a phone screen). Focusable and named, so
// that keyboard users can scroll it too (axe: scrollable-region-focusable).
// Positioned, so that what is positioned inside it (a column name hidden for
// screen readers, sr-only) scrolls with it instead of widening the page.
import type { ReactNode } from 'react';

export function ScrollFrame({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="relative max-w-full overflow-x-auto" tabIndex={0} role="region" aria-label={label}>
      {children}
    </div>
  );
}
