'use client';
// Writing: To, Cc, Bcc with address checking and suggestions, a rich-text
// body (sent as HTML with a plain-text alternative), attachments uploaded
// with progress under a size limit, saved to Drafts every few seconds while
// it changes, and sent through the server's submission pipeline. A refused
// send shows the reason and leaves the draft saved.
import { useCallback, useEffect, useRef, useState } from 'react';
import { api, ApiError, formatSize, submitDraft, type DraftJson } from './mail-api.ts';

const MAX_BYTES = 25 * 1024 * 1024;
const AUTOSAVE_MS = 4000;
/** Gmail's default: a sent message can be taken back for a few seconds. */
export const UNDO_SEND_MS = 5000;
const ADDRESS = /^[^\s@<>()",;:\\[\]]+@[^\s@<>()",;:\\[\]]+\.[^\s@<>()",;:\\[\]]+$/;

function split(value: string): string[] {
  return value.split(/[,;]\s*/).map((v) => v.trim()).filter(Boolean);
}

function badAddresses(value: string): string[] {
  return split(value).filter((v) => !ADDRESS.test((/<([^>]+)>\s*$/.exec(v)?.[1] ?? v).trim()));
}

/** Puts the caret in the body's first, empty paragraph (made if needed). */
function caretAtTop(body: HTMLElement) {
  let first = body.firstElementChild;
  if (!(first instanceof HTMLParagraphElement && first.textContent === '')) {
    first = document.createElement('p');
    body.prepend(first);
  }
  if (!first.firstChild) first.append(document.createElement('br'));
  body.focus();
  const range = document.createRange();
  range.setStart(first, 0);
  range.collapse(true);
  const selection = window.getSelection();
  selection?.removeAllRanges();
  selection?.addRange(range);
}

export function Composer({
  initial,
  from,
  suggestions,
  onClose,
  onSent,
}: {
  initial: DraftJson;
  from: string;
  suggestions: string[];
  onClose: () => void;
  onSent: () => void;
}) {
  const [to, setTo] = useState(initial.to.join(', '));
  const [cc, setCc] = useState(initial.cc.join(', '));
  const [bcc, setBcc] = useState(initial.bcc.join(', '));
  const [showCc, setShowCc] = useState(initial.cc.length + initial.bcc.length > 0);
  const [subject, setSubject] = useState(initial.subject);
  const [carried, setCarried] = useState(initial.attachments);
  const [files, setFiles] = useState<File[]>([]);
  const [progress, setProgress] = useState<number | null>(null);
  const [status, setStatus] = useState('');
  const [error, setError] = useState<{ message: string; field?: string } | null>(null);
  const [busy, setBusy] = useState(false);
  // Send pressed: the message leaves when the undo time is over, unless taken back.
  const [queued, setQueued] = useState(false);
  const editor = useRef<HTMLDivElement>(null);
  const draftId = useRef<number | undefined>(initial.draftId);
  const dirty = useRef(false);
  const saving = useRef(false);
  const [options, setOptions] = useState<string[]>(suggestions.slice(0, 20));
  const lookupTimer = useRef<number | undefined>(undefined);

  /** Suggestions for the address being typed (the last one in the field), each option the whole field completed. */
  const lookup = (value: string) => {
    window.clearTimeout(lookupTimer.current);
    const cut = Math.max(value.lastIndexOf(','), value.lastIndexOf(';')) + 1;
    const before = value.slice(0, cut) + (cut > 0 ? ' ' : '');
    const typed = value.slice(cut).trim();
    if (!typed) return setOptions([]);
    lookupTimer.current = window.setTimeout(async () => {
      const found = await api.addresses(typed).catch(() => []);
      setOptions(found.map((a) => `${before.trimStart()}${a.name ? `${a.name.replace(/[",<>]/g, '')} <${a.address}>` : a.address}`));
    }, 150);
  };

  useEffect(() => {
    // The server sanitized this HTML (reply quotes, signature, a reopened draft).
    const body = editor.current;
    if (!body) return;
    body.innerHTML = initial.html;
    // With the recipients known (a reply, a draft), writing starts in the
    // body, above the quote and the signature, as in Gmail.
    if (initial.to.length > 0) caretAtTop(body);
  }, [initial.html, initial.to.length]);

  const current = useCallback(
    (): DraftJson => ({
      ...initial,
      to: split(to),
      cc: split(cc),
      bcc: split(bcc),
      subject,
      html: editor.current?.innerHTML ?? '',
      attachments: carried,
      draftId: draftId.current,
    }),
    [initial, to, cc, bcc, subject, carried],
  );

  const save = useCallback(async () => {
    if (saving.current || !dirty.current) return;
    saving.current = true;
    dirty.current = false;
    try {
      // Uploaded files join the saved draft; from then on they are its parts.
      const saved = await submitDraft(current(), files, 'save');
      draftId.current = saved.draftId;
      if (files.length > 0) {
        setFiles([]);
        const reopened = await fetch(`/api/mail/messages/${saved.draftId}/draft?mode=edit`).then((r) => r.json());
        setCarried(reopened.attachments ?? []);
      }
      setStatus(`Draft saved ${new Date().toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}`);
    } catch (e) {
      dirty.current = true;
      setStatus(e instanceof ApiError ? `Not saved: ${e.message}` : 'Not saved');
    } finally {
      saving.current = false;
    }
  }, [current, files]);

  useEffect(() => {
    // Not while a send waits for its undo time: a save then would move the files into the draft under the send.
    if (queued) return;
    const timer = setInterval(() => void save(), AUTOSAVE_MS);
    return () => clearInterval(timer);
  }, [save, queued]);

  const touch = () => {
    dirty.current = true;
  };

  function send() {
    const bad = [...badAddresses(to), ...badAddresses(cc), ...badAddresses(bcc)];
    if (bad.length > 0) return setError({ message: `Not an email address: ${bad.join(', ')}`, field: 'to' });
    if (split(to).length + split(cc).length + split(bcc).length === 0) return setError({ message: 'Add at least one recipient.', field: 'to' });
    setError(null);
    setQueued(true);
  }

  const deliverRef = useRef(deliver);
  deliverRef.current = deliver;
  useEffect(() => {
    if (!queued) return;
    const timer = window.setTimeout(() => void deliverRef.current(), UNDO_SEND_MS);
    return () => window.clearTimeout(timer);
  }, [queued]);

  async function deliver() {
    // A save still in flight changes the attachments: send once it is done, from the state after it.
    if (saving.current) {
      window.setTimeout(() => void deliverRef.current(), 100);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await submitDraft(current(), files, 'send', setProgress);
      onSent();
    } catch (e) {
      setError(e instanceof ApiError ? { message: e.message, field: e.field } : { message: 'Sending failed.' });
      // Keep the work: save it as a draft, and show the composer again.
      setQueued(false);
      dirty.current = true;
      await save();
    } finally {
      setBusy(false);
      setProgress(null);
    }
  }

  function addFiles(list: FileList | null) {
    if (!list) return;
    const next = [...files, ...Array.from(list)];
    const total = next.reduce((s, f) => s + f.size, 0);
    if (total > MAX_BYTES) return setError({ message: `Attachments are limited to ${formatSize(MAX_BYTES)} in all.`, field: 'attachments' });
    setFiles(next);
    touch();
  }

  const input = 'w-full rounded border border-border bg-background px-2 py-1 text-sm';
  const tool = 'rounded border border-border px-2 py-0.5 text-sm hover:bg-surface';
  const exec = (command: string, value?: string) => {
    editor.current?.focus();
    document.execCommand(command, false, value);
    touch();
  };
  return (
    <>
    {queued && (
      <div role="status" data-testid="undo-send" className="fixed bottom-4 left-1/2 z-30 flex -translate-x-1/2 items-center gap-3 rounded-lg bg-foreground px-4 py-2 text-sm text-background shadow-lg">
        {busy ? 'Sending…' : 'Sending in a few seconds.'}
        {!busy && (
          <button type="button" className="font-semibold underline" autoFocus onClick={() => setQueued(false)}>Undo</button>
        )}
      </div>
    )}
    <section
      hidden={queued}
      role="dialog"
      aria-label="Compose"
      data-testid="composer"
      className="fixed inset-0 z-20 flex flex-col gap-2 overflow-y-auto border-border bg-background p-4 shadow-xl md:inset-auto md:bottom-4 md:right-4 md:h-[80vh] md:w-[44rem] md:rounded-lg md:border"
      onKeyDown={(e) => {
        if (e.key === 'Escape') onClose();
        // Ctrl+Enter (Cmd+Enter on a Mac) sends, as in Gmail and Fastmail.
        if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) send();
        e.stopPropagation();
      }}
    >
      <div className="flex items-center justify-between">
        <h2 className="font-semibold">{subject || 'New message'}</h2>
        <button type="button" className={tool} onClick={() => void save().then(onClose)} aria-label="Close (the draft is saved)">✕</button>
      </div>
      <datalist id="address-suggestions">
        {options.map((o) => <option key={o} value={o} />)}
      </datalist>
      <div className="text-sm text-muted">From {from}</div>
      <label className="flex items-center gap-2 text-sm">
        <span className="w-12">To</span>
        <input className={input} name="to" value={to} list="address-suggestions" autoFocus={!to} aria-invalid={error?.field === 'to'}
          onChange={(e) => { setTo(e.target.value); lookup(e.target.value); touch(); }} />
        {!showCc && <button type="button" className={tool} onClick={() => setShowCc(true)}>Cc/Bcc</button>}
      </label>
      {showCc && (
        <>
          <label className="flex items-center gap-2 text-sm"><span className="w-12">Cc</span>
            <input className={input} name="cc" value={cc} list="address-suggestions" onChange={(e) => { setCc(e.target.value); lookup(e.target.value); touch(); }} /></label>
          <label className="flex items-center gap-2 text-sm"><span className="w-12">Bcc</span>
            <input className={input} name="bcc" value={bcc} list="address-suggestions" onChange={(e) => { setBcc(e.target.value); lookup(e.target.value); touch(); }} /></label>
        </>
      )}
      <label className="flex items-center gap-2 text-sm"><span className="w-12">Subject</span>
        <input className={input} name="subject" value={subject} onChange={(e) => { setSubject(e.target.value); touch(); }} /></label>
      <div className="flex gap-1" role="toolbar" aria-label="Formatting">
        <button type="button" className={tool} onClick={() => exec('bold')} aria-label="Bold"><b>B</b></button>
        <button type="button" className={tool} onClick={() => exec('italic')} aria-label="Italic"><i>I</i></button>
        <button type="button" className={tool} onClick={() => exec('underline')} aria-label="Underline"><u>U</u></button>
        <button type="button" className={tool} onClick={() => exec('insertUnorderedList')} aria-label="List">•</button>
        <button type="button" className={tool} onClick={() => { const url = prompt('Link address'); if (url && /^(https?:|mailto:)/i.test(url)) exec('createLink', url); }} aria-label="Link">Link</button>
      </div>
      <div
        ref={editor}
        contentEditable
        role="textbox"
        aria-multiline="true"
        aria-label="Message body"
        data-testid="compose-body"
        className="min-h-48 flex-1 overflow-y-auto rounded border border-border p-2 text-sm"
        onInput={touch}
      />
      <div className="flex flex-wrap items-center gap-2 text-sm">
        {carried.map((a, i) => (
          <span key={`${a.messageId}-${a.path}`} className="rounded border border-border px-2 py-0.5">
            📎 {a.filename ?? `part ${a.path}`}
            <button type="button" className="ml-1" aria-label="Remove attachment" onClick={() => { setCarried(carried.filter((_, j) => j !== i)); touch(); }}>✕</button>
          </span>
        ))}
        {files.map((f, i) => (
          <span key={`${f.name}-${i}`} className="rounded border border-border px-2 py-0.5">
            📎 {f.name} ({formatSize(f.size)})
            <button type="button" className="ml-1" aria-label={`Remove ${f.name}`} onClick={() => { setFiles(files.filter((_, j) => j !== i)); touch(); }}>✕</button>
          </span>
        ))}
        <label className={`${tool} cursor-pointer`}>
          Attach files
          <input type="file" multiple className="sr-only" data-testid="attach" onChange={(e) => { addFiles(e.target.files); e.target.value = ''; }} />
        </label>
      </div>
      {progress !== null && <progress className="w-full" value={progress} max={1} aria-label="Upload progress" />}
      {error && <p role="alert" className="text-sm text-danger" data-testid="compose-error">{error.message}</p>}
      <div className="flex items-center gap-3">
        <button type="button" disabled={busy} onClick={send} className="rounded bg-accent px-4 py-1.5 text-sm font-medium text-accent-foreground disabled:opacity-50" data-testid="send">
          {busy ? 'Sending…' : 'Send'}
        </button>
        <button type="button" className={tool} onClick={() => { dirty.current = true; void save(); }}>Save draft</button>
        <span className="text-xs text-muted" aria-live="polite">{status}</span>
      </div>
    </section>
    </>
  );
}
