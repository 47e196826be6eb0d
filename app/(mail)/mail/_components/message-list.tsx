'use client';
// The message list: one row per message (or conversation), selectable,
// draggable onto a folder, with search words highlighted; more rows load as
// its end comes into view, so a folder of 100,000 is never loaded at once.
import { useEffect, useRef } from 'react';
import { formatDate, type MessageSummaryRow } from './mail-api.ts';
import { Sender } from './sender-label.tsx';

function Highlight({ text, words }: { text: string; words: string[] }) {
  if (words.length === 0 || !text) return <>{text}</>;
  const pattern = new RegExp(`(${words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})`, 'gi');
  return (
    <>
      {text.split(pattern).map((piece, i) => (i % 2 === 1 ? <mark key={i} className="rounded bg-highlight text-foreground">{piece}</mark> : piece))}
    </>
  );
}

export function MessageList({
  messages,
  focus,
  openId,
  selected,
  onSelect,
  onOpen,
  highlight,
  showRecipients,
  hasMore,
  loading,
  onLoadMore,
}: {
  messages: MessageSummaryRow[];
  focus: number;
  /** The message in the reading pane. */
  openId: number | null;
  selected: Set<number>;
  onSelect: (id: number, selected: boolean) => void;
  onOpen: (index: number) => void;
  highlight: string[];
  /** Sent and Drafts list who a message went to rather than who sent it. */
  showRecipients: boolean;
  hasMore: boolean;
  loading: boolean;
  onLoadMore: () => unknown;
}) {
  const listEnd = useRef<HTMLLIElement>(null);
  useEffect(() => {
    const end = listEnd.current;
    if (!end) return;
    const observer = new IntersectionObserver((entries) => entries.some((e) => e.isIntersecting) && void onLoadMore());
    observer.observe(end);
    return () => observer.disconnect();
  }, [onLoadMore]);

  return (
    <ul className="min-h-0 flex-1 overflow-y-auto" data-testid="message-list">
      {messages.map((m, i) => (
        <li
          key={m.id}
          data-row-index={i}
          data-testid="message-row"
          data-message-id={m.id}
          draggable
          onDragStart={(e) => e.dataTransfer.setData('application/x-mail-ids', JSON.stringify(selected.has(m.id) ? [...selected] : [m.id]))}
          className={`flex items-start gap-2 border-b border-border px-3 py-2 text-sm ${i === focus ? 'bg-surface' : ''} ${openId === m.id ? 'border-l-4 border-l-accent' : ''}`}
        >
          <input type="checkbox" aria-label={`Select: ${m.subject || '(no subject)'}`} checked={selected.has(m.id)} className="mt-1"
            onChange={(e) => onSelect(m.id, e.target.checked)} />
          <button type="button" className="flex min-w-0 flex-1 flex-col text-left" onClick={() => onOpen(i)}>
            <span className="flex gap-2">
              <span className={`flex min-w-0 flex-1 gap-1 ${m.seen ? '' : 'font-semibold'}`} data-testid="message-sender">
                {!m.seen && <span className="sr-only">Unread. </span>}
                {showRecipients ? (
                  <span className="min-w-0 truncate"><Highlight text={`To: ${m.toAddresses}`} words={highlight} /></span>
                ) : (
                  <Sender name={m.fromName} address={m.fromAddress} render={(text) => <Highlight text={text} words={highlight} />} />
                )}
                {m.threadCount && m.threadCount > 1 ? <span className="shrink-0 text-muted">({m.threadCount})</span> : null}
              </span>
              {m.hasAttachments && <span aria-label="Has attachment">📎</span>}
              {m.flagged && <span aria-label="Flagged" className="text-warning">★</span>}
              <time className="shrink-0 text-xs text-muted" dateTime={m.date}>{formatDate(m.date)}</time>
            </span>
            <span className={`truncate ${m.seen ? '' : 'font-semibold'}`}><Highlight text={m.subject || '(no subject)'} words={highlight} /></span>
            <span className="truncate text-xs text-muted"><Highlight text={m.preview} words={highlight} /></span>
          </button>
        </li>
      ))}
      <li ref={listEnd} className="p-3 text-center text-xs text-muted">
        {hasMore ? (loading ? 'Loading…' : <button type="button" className="underline" onClick={() => void onLoadMore()}>More</button>) : messages.length === 0 ? 'No messages' : ''}
      </li>
    </ul>
  );
}
