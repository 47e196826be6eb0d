'use client';
// The search box at the top of the webmail, with its Options panel.
import type { RefObject } from 'react';

export interface SearchForm {
  q: string;
  from: string;
  to: string;
  subject: string;
  since: string;
  before: string;
  attachment: boolean;
  unread: boolean;
  all: boolean;
}

export const EMPTY_SEARCH: SearchForm = { q: '', from: '', to: '', subject: '', since: '', before: '', attachment: false, unread: false, all: true };

export const control = 'rounded border border-border bg-background px-2 py-1 text-sm';

export function SearchBar({
  search,
  onChange,
  advanced,
  onToggleAdvanced,
  onSubmit,
  inputRef,
}: {
  search: SearchForm;
  onChange: (search: SearchForm) => void;
  advanced: boolean;
  onToggleAdvanced: () => void;
  onSubmit: (event: React.FormEvent) => void;
  inputRef: RefObject<HTMLInputElement | null>;
}) {
  const set = (patch: Partial<SearchForm>) => onChange({ ...search, ...patch });
  return (
    <form role="search" onSubmit={onSubmit} className="flex flex-1 flex-wrap items-center gap-2">
      <label className="sr-only" htmlFor="mail-search">Search mail</label>
      <input id="mail-search" ref={inputRef} type="search" placeholder="Search mail (/)" className={`${control} min-w-0 flex-1`} data-testid="search"
        value={search.q} onChange={(e) => set({ q: e.target.value })} />
      <button type="button" className={control} aria-expanded={advanced} onClick={onToggleAdvanced}>Options</button>
      {advanced && (
        <div className="flex w-full flex-wrap gap-2 text-sm">
          <input className={control} placeholder="From" aria-label="From" value={search.from} onChange={(e) => set({ from: e.target.value })} />
          <input className={control} placeholder="To" aria-label="To" value={search.to} onChange={(e) => set({ to: e.target.value })} />
          <input className={control} placeholder="Subject" aria-label="Subject" value={search.subject} onChange={(e) => set({ subject: e.target.value })} />
          <label className="flex items-center gap-1">After <input type="date" className={control} value={search.since} onChange={(e) => set({ since: e.target.value })} /></label>
          <label className="flex items-center gap-1">Before <input type="date" className={control} value={search.before} onChange={(e) => set({ before: e.target.value })} /></label>
          <label className="flex items-center gap-1"><input type="checkbox" checked={search.attachment} onChange={(e) => set({ attachment: e.target.checked })} /> Has attachment</label>
          <label className="flex items-center gap-1"><input type="checkbox" checked={search.unread} onChange={(e) => set({ unread: e.target.checked })} /> Unread</label>
          <label className="flex items-center gap-1"><input type="checkbox" checked={!search.all} onChange={(e) => set({ all: !e.target.checked })} /> Only this folder</label>
        </div>
      )}
    </form>
  );
}
