'use client';
// The reading view: header fields, the body in an iframe sandboxed without
// scripts (and with a CSP that lets only this server's images in, or remote
// ones once the user allows them), attachments, the conversation, actions.
import { useEffect, useState } from 'react';
import { api, formatDate, formatSize, type MessageSummaryRow, type MessageView } from './mail-api.ts';
import { Sender } from './sender-label.tsx';

export type ReaderCommand = 'reply' | 'reply-all' | 'forward' | 'archive' | 'delete' | 'spam' | 'unread' | 'flag' | 'edit';

function frameDocument(view: MessageView, remote: boolean): string {
  const images = remote ? "'self' data: https: http:" : "'self' data:";
  return `<!doctype html><html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src ${images}; style-src 'unsafe-inline'; font-src data:">
<base target="_blank">
<style>html{color-scheme:light}body{margin:0;padding:12px;font:14px/1.5 system-ui,sans-serif;color:#111;background:#fff;word-wrap:break-word}img{max-width:100%;height:auto}blockquote{margin:0 0 0 .8ex;border-left:2px solid #ccc;padding-left:1ex}</style>
</head><body>${view.html}</body></html>`;
}

export function Reader({
  view,
  thread,
  onCommand,
  onOpen,
  onShowImages,
  remote,
  isDraft,
  inJunk,
}: {
  view: MessageView;
  thread: MessageSummaryRow[];
  onCommand: (command: ReaderCommand) => void;
  onOpen: (id: number) => void;
  onShowImages: (always: boolean) => void;
  remote: boolean;
  isDraft: boolean;
  inJunk: boolean;
}) {
  const [height, setHeight] = useState(400);
  const [showText, setShowText] = useState(false);
  useEffect(() => setShowText(false), [view.id]);
  const who = (list: { name: string; address: string }[]) => list.map((a) => (a.name ? `${a.name} <${a.address}>` : a.address)).join(', ');
  const button = 'rounded border border-border px-2 py-1 text-sm hover:bg-surface focus-visible:outline-2 focus-visible:outline-accent';
  return (
    <article className="flex min-h-0 flex-1 flex-col gap-3 overflow-y-auto p-4" aria-label="Message" data-testid="reader">
      <div className="flex flex-wrap gap-2" role="toolbar" aria-label="Message actions">
        {isDraft ? (
          <button type="button" className={button} onClick={() => onCommand('edit')}>
            Edit draft
          </button>
        ) : (
          <>
            <button type="button" className={button} onClick={() => onCommand('reply')} title="Reply (r)">Reply</button>
            <button type="button" className={button} onClick={() => onCommand('reply-all')} title="Reply all (a)">Reply all</button>
            <button type="button" className={button} onClick={() => onCommand('forward')} title="Forward (f)">Forward</button>
          </>
        )}
        <button type="button" className={button} onClick={() => onCommand('archive')} title="Archive (e)">Archive</button>
        <button type="button" className={button} onClick={() => onCommand('delete')} title="Delete (#)">Delete</button>
        <button type="button" className={button} onClick={() => onCommand('spam')}>{inJunk ? 'Not spam' : 'Spam'}</button>
        <button type="button" className={button} onClick={() => onCommand('unread')} title="Mark unread (u)">Mark unread</button>
        <button type="button" className={button} onClick={() => onCommand('flag')} aria-pressed={view.flagged} title="Flag (s)">
          {view.flagged ? '★ Flagged' : '☆ Flag'}
        </button>
      </div>
      <header className="flex flex-col gap-1">
        <h2 className="text-xl font-semibold" data-testid="reader-subject">{view.subject || '(no subject)'}</h2>
        <div className="text-sm" data-testid="reader-from"><span className="text-muted">From </span>{who(view.from)}</div>
        {view.to.length > 0 && <div className="text-sm"><span className="text-muted">To </span>{who(view.to)}</div>}
        {view.cc.length > 0 && <div className="text-sm"><span className="text-muted">Cc </span>{who(view.cc)}</div>}
        <div className="flex flex-wrap gap-3 text-sm text-muted">
          <time dateTime={view.date}>{new Date(view.date).toLocaleString()}</time>
          <a className="underline" href={`/api/mail/messages/${view.id}/raw`} target="_blank" rel="noopener">View source</a>
          <button type="button" className="underline" onClick={() => setShowText((v) => !v)}>{showText ? 'Formatted' : 'Plain text'}</button>
        </div>
      </header>
      {view.blockedRemote > 0 && !remote && (
        <div className="flex items-center gap-2 rounded border border-border bg-surface p-2 text-sm" role="status">
          Remote images are blocked ({view.blockedRemote}).
          <button type="button" className={button} onClick={() => onShowImages(false)} data-testid="show-images">Show images</button>
          {view.from[0] && (
            <button type="button" className={button} onClick={() => onShowImages(true)}>Always from {view.from[0].address}</button>
          )}
        </div>
      )}
      {showText ? (
        <pre className="whitespace-pre-wrap break-words rounded border border-border p-3 font-mono text-sm">{view.text}</pre>
      ) : (
        <iframe
          title="Message body"
          data-testid="message-frame"
          className="w-full rounded border border-border bg-white"
          style={{ height }}
          // No allow-scripts: nothing in the message runs (the HTML is sanitized and the CSP forbids
          // scripts as well). allow-same-origin only lets this page read the body's height.
          sandbox="allow-same-origin allow-popups allow-popups-to-escape-sandbox"
          srcDoc={frameDocument(view, remote)}
          onLoad={(e) => {
            const body = e.currentTarget.contentDocument?.documentElement;
            setHeight(body ? Math.min(20_000, Math.max(160, body.scrollHeight + 4)) : 600);
          }}
        />
      )}
      {view.attachments.filter((a) => !a.inline).length > 0 && (
        <section aria-label="Attachments">
          <h3 className="mb-1 text-sm font-medium">Attachments</h3>
          <ul className="flex flex-wrap gap-2">
            {view.attachments.filter((a) => !a.inline).map((a) => (
              <li key={a.path}>
                <a className={`${button} inline-flex gap-2`} href={`/api/mail/messages/${view.id}/parts/${a.path}`} download={a.filename} data-testid="attachment">
                  📎 {a.filename} <span className="text-muted">{formatSize(a.size)}</span>
                </a>
              </li>
            ))}
          </ul>
        </section>
      )}
      {thread.length > 1 && (
        <section aria-label="Conversation" data-testid="thread">
          <h3 className="mb-1 text-sm font-medium">Conversation ({thread.length})</h3>
          <ol className="flex flex-col divide-y divide-border rounded border border-border">
            {thread.map((m) => (
              <li key={m.id}>
                <button type="button" className={`flex w-full gap-3 px-3 py-2 text-left text-sm hover:bg-surface ${m.id === view.id ? 'bg-surface font-medium' : ''}`} onClick={() => onOpen(m.id)}>
                  <span className="flex w-56 gap-1"><Sender name={m.fromName} address={m.fromAddress} /></span>
                  <span className="flex-1 truncate">{m.subject}</span>
                  <span className="text-muted">{formatDate(m.date)}</span>
                </button>
              </li>
            ))}
          </ol>
        </section>
      )}
    </article>
  );
}

export function useThread(view: MessageView | null): MessageSummaryRow[] {
  const [thread, setThread] = useState<MessageSummaryRow[]>([]);
  useEffect(() => {
    if (!view) return setThread([]);
    let live = true;
    api.thread(view.threadId).then((t) => live && setThread(t.messages)).catch(() => live && setThread([]));
    return () => {
      live = false;
    };
  }, [view?.id, view?.threadId]); // eslint-disable-line react-hooks/exhaustive-deps
  return thread;
}
