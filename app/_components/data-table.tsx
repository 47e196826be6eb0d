// An admin table: named columns over rows, scrolling sideways inside the
// page (ScrollFrame). An empty column name is the column of a row's buttons,
// named "Actions" for screen readers (an empty header cell names nothing).
import type { ReactNode } from 'react';
import { ScrollFrame } from './scroll-frame.tsx';

export function DataTable({ label, columns, small, children }: { label: string; columns?: string[]; small?: boolean; children: ReactNode }) {
  return (
    <ScrollFrame label={label}>
      <table className={`w-full text-left ${small ? 'text-xs' : 'text-sm'}`}>
        {columns ? (
          <thead className="text-xs text-muted">
            <tr>
              {columns.map((name, i) => (
                <th key={i} className={`py-1 font-medium ${i < columns.length - 1 ? 'pr-4' : ''}`}>{name || <span className="sr-only">Actions</span>}</th>
              ))}
            </tr>
          </thead>
        ) : null}
        <tbody>{children}</tbody>
      </table>
    </ScrollFrame>
  );
}

/** A moment as the admin pages show it, in UTC to the second: "2026-11-30 19:40:02". */
export function formatMoment(date: Date): string {
  return date.toISOString().replace('T', ' ').slice(0, 19);
}
