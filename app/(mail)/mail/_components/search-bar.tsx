'use client';
// The search box at the top of the webmail. It takes the Gmail-style
// language (from:, to:, subject:, has:attachment, is:unread, is:flagged,
// before:, after:, in:folder, "phrases"; mail-daemon/webmail/search-query.ts);
// the Options panel's fields read the box and write the same words into it.
import type { RefObject } from 'react';
import { parseSearchQuery, withSearchFlag, withSearchKey } from '@/mail-daemon/webmail/search-query.ts';

export const control = 'rounded-md border border-border bg-background px-2 py-1 text-sm';

const isoDay = (date: Date | undefined) => (date ? date.toISOString().slice(0, 10) : '');

export function SearchBar({
  query,
  onChange,
  advanced,
  onToggleAdvanced,
  onSubmit,
  inputRef,
  folderName,
}: {
  query: string;
  onChange: (query: string) => void;
  advanced: boolean;
  onToggleAdvanced: () => void;
  onSubmit: (event: React.FormEvent) => void;
  inputRef: RefObject<HTMLInputElement | null>;
  /** The open folder, for "Only this folder" (in:name). */
  folderName: string;
}) {
  const parsed = parseSearchQuery(query);
  const key = (name: 'from' | 'to' | 'subject' | 'before' | 'after', label: string, type = 'text', value = parsed[name as 'from'] ?? '') => (
    <label className="flex min-w-0 items-center gap-1">
      <span className="w-14 shrink-0 text-muted">{label}</span>
      <input type={type} className={`${control} min-w-0 flex-1`} value={value} onChange={(e) => onChange(withSearchKey(query, name, e.target.value))} data-testid={`search-${name}`} />
    </label>
  );
  const flag = (name: 'has:attachment' | 'is:unread' | 'is:flagged', label: string, on: boolean) => (
    <label className="flex items-center gap-1">
      <input type="checkbox" checked={on} onChange={(e) => onChange(withSearchFlag(query, name, e.target.checked))} /> {label}
    </label>
  );
  return (
    <form role="search" onSubmit={onSubmit} className="flex min-w-0 flex-1 flex-wrap items-center gap-2">
      <label className="sr-only" htmlFor="mail-search">Search mail</label>
      <input id="mail-search" ref={inputRef} type="search" placeholder="Search mail (/), e.g. from:bob has:attachment" className={`${control} min-w-0 flex-1`} data-testid="search"
        value={query} onChange={(e) => onChange(e.target.value)} />
      <button type="button" className="btn" aria-expanded={advanced} aria-controls="search-options" onClick={onToggleAdvanced}>Options</button>
      {advanced && (
        <div id="search-options" className="grid w-full gap-2 text-sm sm:grid-cols-2 lg:grid-cols-3">
          {key('from', 'From')}
          {key('to', 'To')}
          {key('subject', 'Subject')}
          {key('after', 'After', 'date', isoDay(parsed.after))}
          {key('before', 'Before', 'date', isoDay(parsed.before))}
          <div className="flex flex-wrap items-center gap-3">
            {flag('has:attachment', 'Has attachment', Boolean(parsed.hasAttachment))}
            {flag('is:unread', 'Unread', parsed.unread === true)}
            {flag('is:flagged', 'Flagged', Boolean(parsed.flagged))}
            <label className="flex items-center gap-1">
              <input type="checkbox" checked={parsed.folder !== undefined} onChange={(e) => onChange(withSearchKey(query, 'in', e.target.checked ? folderName : ''))} /> Only this folder
            </label>
          </div>
          <div><button type="submit" className="btn btn-primary">Search</button></div>
        </div>
      )}
    </form>
  );
}
