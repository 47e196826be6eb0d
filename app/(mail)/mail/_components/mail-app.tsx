'use client';
// The webmail screen: folders, the message list (pages loaded as the list
// scrolls), the reading view and the composer. Live: a server-sent events
// stream from /api/mail/events reloads what changed, and the tab title shows
// the Inbox's unread count. Keyboard: j/k, o or Enter, u, s, r, a, f, e, #,
// /, c, x, and ? for the list. On a phone one pane shows at a time.
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { api, ApiError, formatDate, listQuery, type DraftJson, type FolderView, type MessagePage, type MessageSummaryRow, type MessageView } from './mail-api.ts';
import { Reader, useThread, type ReaderCommand } from './reader.tsx';
import { Composer } from './composer.tsx';
import { FolderNameForm } from './folder-name-form.tsx';

const SHORTCUTS: [string, string][] = [
  ['j / k', 'next / previous message'],
  ['o or Enter', 'open'],
  ['x', 'select'],
  ['u', 'mark unread'],
  ['s', 'flag'],
  ['r', 'reply'],
  ['a', 'reply all'],
  ['f', 'forward'],
  ['e', 'archive'],
  ['#', 'delete'],
  ['/', 'search'],
  ['c', 'compose'],
  ['Esc', 'close'],
  ['?', 'this list'],
];

interface SearchForm {
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

const EMPTY_SEARCH: SearchForm = { q: '', from: '', to: '', subject: '', since: '', before: '', attachment: false, unread: false, all: true };

function Highlight({ text, words }: { text: string; words: string[] }) {
  if (words.length === 0 || !text) return <>{text}</>;
  const pattern = new RegExp(`(${words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})`, 'gi');
  return (
    <>
      {text.split(pattern).map((piece, i) => (i % 2 === 1 ? <mark key={i} className="rounded bg-yellow-200 text-black">{piece}</mark> : piece))}
    </>
  );
}

export function MailApp({
  account,
  folders: initialFolders,
  folderId,
  initialPage,
  threads,
  order,
}: {
  account: { address: string; displayName: string };
  folders: FolderView[];
  folderId: number;
  initialPage: MessagePage;
  threads: boolean;
  order: 'newest' | 'oldest';
  hasSignature: boolean;
}) {
  const listView = useMemo(() => ({ threads, order }), [threads, order]);
  const router = useRouter();
  const [folders, setFolders] = useState(initialFolders);
  const [messages, setMessages] = useState(initialPage.messages);
  const [cursor, setCursor] = useState(initialPage.nextCursor);
  const [focus, setFocus] = useState(0);
  const [selected, setSelected] = useState<Set<number>>(new Set());
  const [view, setView] = useState<MessageView | null>(null);
  const [remote, setRemote] = useState(false);
  const [draft, setDraft] = useState<DraftJson | null>(null);
  const [search, setSearch] = useState<SearchForm>(EMPTY_SEARCH);
  const [searching, setSearching] = useState<{ highlight: string[] } | null>(null);
  const [advanced, setAdvanced] = useState(false);
  const [help, setHelp] = useState(false);
  const [notice, setNotice] = useState('');
  const [loading, setLoading] = useState(false);
  const searchBox = useRef<HTMLInputElement>(null);
  const listEnd = useRef<HTMLLIElement>(null);
  const thread = useThread(view);

  const folder = folders.find((f) => f.id === folderId);
  const inbox = folders.find((f) => f.specialUse === '\\Inbox');
  const special = (use: string) => folders.find((f) => f.specialUse === use);
  const inDrafts = folder?.specialUse === '\\Drafts';
  const inSent = folder?.specialUse === '\\Sent';
  const suggestions = useMemo(
    () => [...new Set(messages.flatMap((m) => [m.fromAddress, ...m.toAddresses.split(', ')]).filter((a) => a && a !== account.address))].slice(0, 200),
    [messages, account.address],
  );

  useEffect(() => {
    document.title = inbox && inbox.unread > 0 ? `(${inbox.unread}) Mail` : 'Mail';
  }, [inbox]);

  const show = (text: string) => {
    setNotice(text);
    window.setTimeout(() => setNotice((n) => (n === text ? '' : n)), 4000);
  };
  const fail = (e: unknown) => show(e instanceof ApiError ? e.message : 'Something went wrong.');

  const refreshFolders = useCallback(() => api.folders().then((r) => setFolders(r.folders)).catch(() => undefined), []);

  const runSearch = useCallback(
    async (form: SearchForm, after: string | null = null) => {
      const params = new URLSearchParams();
      for (const key of ['q', 'from', 'to', 'subject', 'since', 'before'] as const) if (form[key].trim()) params.set(key, form[key].trim());
      if (form.attachment) params.set('attachment', '1');
      if (form.unread) params.set('unread', '1');
      if (!form.all) params.set('folder', String(folderId));
      if (after) params.set('cursor', after);
      const page = await api.search(params);
      setMessages((m) => (after ? [...m, ...page.messages] : page.messages));
      setCursor(page.nextCursor);
      setSearching({ highlight: page.highlight });
    },
    [folderId],
  );

  /** The first page again, keeping rows already loaded below it. */
  const refreshList = useCallback(async () => {
    if (searching) return;
    const page = await api.page(folderId, null, listView).catch(() => null);
    if (!page) return;
    setMessages((current) => {
      const fresh = new Set(page.messages.map((m) => m.id));
      // Rows loaded beyond the first page stay; those it now holds are replaced.
      const last = page.messages[page.messages.length - 1];
      const beyond = (m: MessageSummaryRow) => (order === 'newest' ? m.date < last.date : m.date > last.date);
      const rest = last && page.nextCursor ? current.filter((m) => !fresh.has(m.id) && beyond(m)) : [];
      return [...page.messages, ...rest];
    });
    if (messages.length <= page.messages.length) setCursor(page.nextCursor);
  }, [folderId, listView, order, searching, messages.length]);

  const loadMore = useCallback(async () => {
    if (!cursor || loading) return;
    setLoading(true);
    try {
      if (searching) await runSearch(search, cursor);
      else {
        const page = await api.page(folderId, cursor, listView);
        setMessages((m) => [...m, ...page.messages.filter((p) => !m.some((x) => x.id === p.id))]);
        setCursor(page.nextCursor);
      }
    } catch (e) {
      fail(e);
    } finally {
      setLoading(false);
    }
  }, [cursor, loading, searching, runSearch, search, folderId, listView]); // eslint-disable-line react-hooks/exhaustive-deps

  // More rows as the end of the list comes into view: pages, never 100,000 rows at once.
  useEffect(() => {
    const end = listEnd.current;
    if (!end) return;
    const observer = new IntersectionObserver((entries) => entries.some((e) => e.isIntersecting) && void loadMore());
    observer.observe(end);
    return () => observer.disconnect();
  }, [loadMore]);

  // Live updates from the store's change bus.
  const refreshRef = useRef({ refreshList, refreshFolders, view });
  refreshRef.current = { refreshList, refreshFolders, view };
  useEffect(() => {
    const source = new EventSource('/api/mail/events');
    let timer: number | undefined;
    const changed = new Set<number | undefined>();
    source.addEventListener('mail', (event) => {
      const change = JSON.parse((event as MessageEvent).data) as { kind: string; mailboxId?: number };
      changed.add(change.mailboxId);
      // Coalesce a burst (a move is a removal and an addition) into one reload.
      window.clearTimeout(timer);
      timer = window.setTimeout(() => {
        const { refreshList, refreshFolders } = refreshRef.current;
        void refreshFolders();
        if (changed.has(folderId) || changed.has(undefined)) void refreshList();
        changed.clear();
      }, 150);
    });
    return () => {
      window.clearTimeout(timer);
      source.close();
    };
  }, [folderId]);

  const open = useCallback(
    async (id: number) => {
      const row = messages.find((m) => m.id === id);
      if (row?.draft && inDrafts) {
        try {
          setDraft(await api.draftFor(id, 'edit'));
        } catch (e) {
          fail(e);
        }
        return;
      }
      try {
        // The server shows remote images itself for senders allowed for good.
        const next = await api.message(id);
        setRemote(next.remoteShown);
        setView(next);
        setMessages((list) => list.map((m) => (m.id === id ? { ...m, seen: true } : m)));
        const index = messages.findIndex((m) => m.id === id);
        if (index >= 0) setFocus(index);
        void refreshFolders();
      } catch (e) {
        fail(e);
      }
    },
    [messages, inDrafts, refreshFolders], // eslint-disable-line react-hooks/exhaustive-deps
  );

  const targets = useCallback((): number[] => {
    if (selected.size > 0) return [...selected];
    if (view) return [view.id];
    const row = messages[focus];
    return row ? [row.id] : [];
  }, [selected, view, messages, focus]);

  const act = useCallback(
    async (command: ReaderCommand | 'move', mailboxId?: number, ids = targets()) => {
      if (ids.length === 0) return;
      const byId = new Map(messages.map((m) => [m.id, m]));
      try {
        switch (command) {
          case 'reply':
          case 'reply-all':
          case 'forward':
            setDraft(await api.draftFor(ids[0], command));
            return;
          case 'edit':
            setDraft(await api.draftFor(ids[0], 'edit'));
            return;
          case 'unread':
            await api.act(ids, { kind: 'seen', value: false });
            setMessages((list) => list.map((m) => (ids.includes(m.id) ? { ...m, seen: false } : m)));
            if (view && ids.includes(view.id)) setView(null);
            break;
          case 'flag': {
            const value = !(view && ids.includes(view.id) ? view.flagged : byId.get(ids[0])?.flagged);
            await api.act(ids, { kind: 'flagged', value });
            setMessages((list) => list.map((m) => (ids.includes(m.id) ? { ...m, flagged: value } : m)));
            if (view && ids.includes(view.id)) setView({ ...view, flagged: value });
            break;
          }
          default: {
            const action =
              command === 'move' ? { kind: 'move' as const, mailboxId: mailboxId! }
              : command === 'spam' && folder?.specialUse === '\\Junk' ? { kind: 'not-spam' as const }
              : { kind: command };
            await api.act(ids, action);
            const gone = new Set(ids);
            setMessages((list) => list.filter((m) => !gone.has(m.id)));
            setSelected(new Set());
            if (view && gone.has(view.id)) setView(null);
            show(`${ids.length} message${ids.length === 1 ? '' : 's'} ${command === 'delete' ? (folder?.specialUse === '\\Trash' ? 'deleted for good' : 'moved to Trash') : command === 'archive' ? 'archived' : command === 'spam' ? 'moved' : 'moved'}`);
          }
        }
        void refreshFolders();
      } catch (e) {
        fail(e);
      }
    },
    [targets, messages, view, folder, refreshFolders], // eslint-disable-line react-hooks/exhaustive-deps
  );

  // Keyboard shortcuts, outside text fields.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const target = e.target as HTMLElement;
      if (draft || e.ctrlKey || e.metaKey || e.altKey) return;
      // Typing in a field is typing; a checkbox with focus still takes shortcuts.
      if (target.closest('input:not([type=checkbox]), textarea, select, [contenteditable="true"]')) {
        if (e.key === 'Escape') target.blur();
        return;
      }
      const row = messages[focus];
      const keys: Record<string, () => void> = {
        j: () => setFocus((f) => Math.min(f + 1, messages.length - 1)),
        k: () => setFocus((f) => Math.max(f - 1, 0)),
        o: () => row && void open(row.id),
        Enter: () => row && void open(row.id),
        x: () => row && setSelected((s) => { const n = new Set(s); if (n.has(row.id)) n.delete(row.id); else n.add(row.id); return n; }),
        u: () => void act('unread'),
        s: () => void act('flag'),
        r: () => void act('reply'),
        a: () => void act('reply-all'),
        f: () => void act('forward'),
        e: () => void act('archive'),
        '#': () => void act('delete'),
        '/': () => searchBox.current?.focus(),
        c: () => void api.newDraft().then(setDraft).catch(fail),
        '?': () => setHelp((h) => !h),
        Escape: () => { setHelp(false); setView(null); setSelected(new Set()); },
      };
      const run = keys[e.key];
      if (!run) return;
      e.preventDefault();
      run();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [draft, messages, focus, open, act]); // eslint-disable-line react-hooks/exhaustive-deps

  // j/k move the real focus too, so screen readers follow and Tab continues from there.
  useEffect(() => {
    const rowElement = document.querySelector<HTMLElement>(`[data-row-index="${focus}"]`);
    rowElement?.scrollIntoView({ block: 'nearest' });
    const active = document.activeElement;
    if (!active || active === document.body || active.closest('[data-testid=message-list]')) rowElement?.querySelector<HTMLElement>('button')?.focus({ preventScroll: true });
  }, [focus]);

  const onDrop = (event: React.DragEvent, target: FolderView) => {
    event.preventDefault();
    const ids = JSON.parse(event.dataTransfer.getData('application/x-mail-ids') || '[]') as number[];
    if (ids.length > 0 && target.id !== folderId) void act('move', target.id, ids);
  };

  // The inline form for a folder's name: a new folder, or the selected one renamed.
  const [folderForm, setFolderForm] = useState<'create' | 'rename' | null>(null);

  async function saveFolderName(name: string) {
    if (folderForm === 'rename' && folder && name !== folder.name) await api.renameFolder(folder.id, name);
    if (folderForm === 'create') await api.createFolder(name);
    setFolderForm(null);
    await refreshFolders();
  }

  async function deleteFolder() {
    if (!folder || folder.specialUse || !confirm(`Delete the folder ${folder.name}, its subfolders and all their messages?`)) return;
    try {
      await api.deleteFolder(folder.id);
      router.push(`/mail/${inbox?.id ?? ''}`);
    } catch (e) {
      fail(e);
    }
  }

  const submitSearch = (event: React.FormEvent) => {
    event.preventDefault();
    setView(null);
    setFocus(0);
    const blank = JSON.stringify({ ...search, all: true }) === JSON.stringify(EMPTY_SEARCH);
    if (blank) {
      setSearching(null);
      void api.page(folderId, null, listView).then((p) => { setMessages(p.messages); setCursor(p.nextCursor); });
      return;
    }
    void runSearch(search).catch(fail);
  };

  const highlight = searching?.highlight ?? [];
  const control = 'rounded border border-border bg-background px-2 py-1 text-sm';
  const pane = view ? 'hidden md:flex' : 'flex';

  return (
    <div className="grid h-dvh grid-rows-[auto_1fr] md:grid-cols-[13rem_minmax(18rem,26rem)_1fr]">
      <header className="col-span-full flex items-center gap-3 border-b border-border px-3 py-2">
        <Link href="/mail" className="font-semibold">Mail</Link>
        <form role="search" onSubmit={submitSearch} className="flex flex-1 flex-wrap items-center gap-2">
          <label className="sr-only" htmlFor="mail-search">Search mail</label>
          <input id="mail-search" ref={searchBox} type="search" placeholder="Search mail (/)" className={`${control} min-w-0 flex-1`} data-testid="search"
            value={search.q} onChange={(e) => setSearch({ ...search, q: e.target.value })} />
          <button type="button" className={control} aria-expanded={advanced} onClick={() => setAdvanced((a) => !a)}>Options</button>
          {advanced && (
            <div className="flex w-full flex-wrap gap-2 text-sm">
              <input className={control} placeholder="From" aria-label="From" value={search.from} onChange={(e) => setSearch({ ...search, from: e.target.value })} />
              <input className={control} placeholder="To" aria-label="To" value={search.to} onChange={(e) => setSearch({ ...search, to: e.target.value })} />
              <input className={control} placeholder="Subject" aria-label="Subject" value={search.subject} onChange={(e) => setSearch({ ...search, subject: e.target.value })} />
              <label className="flex items-center gap-1">After <input type="date" className={control} value={search.since} onChange={(e) => setSearch({ ...search, since: e.target.value })} /></label>
              <label className="flex items-center gap-1">Before <input type="date" className={control} value={search.before} onChange={(e) => setSearch({ ...search, before: e.target.value })} /></label>
              <label className="flex items-center gap-1"><input type="checkbox" checked={search.attachment} onChange={(e) => setSearch({ ...search, attachment: e.target.checked })} /> Has attachment</label>
              <label className="flex items-center gap-1"><input type="checkbox" checked={search.unread} onChange={(e) => setSearch({ ...search, unread: e.target.checked })} /> Unread</label>
              <label className="flex items-center gap-1"><input type="checkbox" checked={!search.all} onChange={(e) => setSearch({ ...search, all: !e.target.checked })} /> Only this folder</label>
            </div>
          )}
        </form>
        <button type="button" className={control} onClick={() => setHelp(true)} aria-label="Keyboard shortcuts">?</button>
        <Link href="/settings" className="text-sm underline">Settings</Link>
      </header>

      <nav aria-label="Folders" className="hidden flex-col gap-1 overflow-y-auto border-r border-border p-2 md:flex">
        <button type="button" className="mb-2 rounded bg-accent px-3 py-2 text-sm font-medium text-accent-foreground" data-testid="compose"
          onClick={() => void api.newDraft().then(setDraft).catch(fail)}>Compose</button>
        <ul className="flex flex-col">
          {folders.map((f) => (
            <li key={f.id} onDragOver={(e) => e.preventDefault()} onDrop={(e) => onDrop(e, f)}>
              <Link
                href={`/mail/${f.id}${listQuery(listView, '?')}`}
                className={`flex items-center justify-between rounded px-2 py-1 text-sm hover:bg-surface ${f.id === folderId ? 'bg-surface font-semibold' : ''}`}
                style={{ paddingLeft: `${0.5 + f.depth}rem` }}
                aria-current={f.id === folderId ? 'page' : undefined}
                data-testid={`folder-${f.name}`}
              >
                <span className="truncate">{f.label}</span>
                {f.unread > 0 && <span className="text-xs text-accent" aria-label={`${f.unread} unread`} data-testid="unread-count">{f.unread}</span>}
              </Link>
            </li>
          ))}
        </ul>
        <div className="mt-2 flex flex-wrap gap-2 text-xs">
          <button type="button" className="underline" onClick={() => setFolderForm('create')}>New folder</button>
          {folder && !folder.specialUse && <button type="button" className="underline" onClick={() => setFolderForm('rename')}>Rename</button>}
          {folder && !folder.specialUse && <button type="button" className="underline" onClick={() => void deleteFolder()}>Delete</button>}
        </div>
        {folderForm && (
          <FolderNameForm
            key={folderForm}
            label={folderForm === 'create' ? 'New folder name' : `New name for ${folder?.name ?? ''}`}
            initial={folderForm === 'rename' ? folder?.name : ''}
            submitLabel={folderForm === 'create' ? 'Create' : 'Rename'}
            onSubmit={saveFolderName}
            onCancel={() => setFolderForm(null)}
          />
        )}
      </nav>

      <section aria-label="Messages" className={`${pane} min-h-0 flex-col border-r border-border`}>
        <div className="flex items-center gap-2 border-b border-border px-3 py-2 text-sm">
          <select aria-label="Folder" className={`${control} md:hidden`} value={folderId} onChange={(e) => router.push(`/mail/${e.target.value}`)}>
            {folders.map((f) => <option key={f.id} value={f.id}>{`${'  '.repeat(f.depth)}${f.label}${f.unread ? ` (${f.unread})` : ''}`}</option>)}
          </select>
          <button type="button" className={`${control} md:hidden`} onClick={() => void api.newDraft().then(setDraft).catch(fail)}>Compose</button>
          <h1 className="hidden font-semibold md:block">{searching ? 'Search results' : folder?.label}</h1>
          {!searching && (
            <span className="ml-auto flex gap-3 text-xs">
              <Link className="underline" href={`/mail/${folderId}${listQuery({ ...listView, order: order === 'newest' ? 'oldest' : 'newest' }, '?')}`}>
                {order === 'newest' ? 'Newest first' : 'Oldest first'}
              </Link>
              <Link className="underline" href={`/mail/${folderId}${listQuery({ ...listView, threads: !threads }, '?')}`}>
                {threads ? 'Show messages' : 'Group by conversation'}
              </Link>
            </span>
          )}
          {selected.size > 0 && (
            <div className="ml-auto flex gap-1" role="toolbar" aria-label="Selection">
              <span>{selected.size} selected</span>
              <button type="button" className="underline" onClick={() => void act('archive')}>Archive</button>
              <button type="button" className="underline" onClick={() => void act('delete')}>Delete</button>
              <button type="button" className="underline" onClick={() => void act('unread')}>Unread</button>
              <select aria-label="Move to" className={control} value="" onChange={(e) => e.target.value && void act('move', Number(e.target.value))}>
                <option value="">Move to…</option>
                {folders.filter((f) => f.id !== folderId).map((f) => <option key={f.id} value={f.id}>{f.name}</option>)}
              </select>
            </div>
          )}
        </div>
        <ul className="min-h-0 flex-1 overflow-y-auto" data-testid="message-list">
          {messages.map((m, i) => (
            <li
              key={m.id}
              data-row-index={i}
              data-testid="message-row"
              data-message-id={m.id}
              draggable
              onDragStart={(e) => e.dataTransfer.setData('application/x-mail-ids', JSON.stringify(selected.has(m.id) ? [...selected] : [m.id]))}
              className={`flex items-start gap-2 border-b border-border px-3 py-2 text-sm ${i === focus ? 'bg-surface' : ''} ${view?.id === m.id ? 'border-l-4 border-l-accent' : ''}`}
            >
              <input type="checkbox" aria-label={`Select: ${m.subject || '(no subject)'}`} checked={selected.has(m.id)} className="mt-1"
                onChange={(e) => setSelected((s) => { const n = new Set(s); if (e.target.checked) n.add(m.id); else n.delete(m.id); return n; })} />
              <button type="button" className="flex min-w-0 flex-1 flex-col text-left" onClick={() => { setFocus(i); void open(m.id); }}>
                <span className="flex gap-2">
                  <span className={`flex-1 truncate ${m.seen ? '' : 'font-semibold'}`}>
                    {!m.seen && <span className="sr-only">Unread. </span>}
                    <Highlight text={inSent || inDrafts ? `To: ${m.toAddresses}` : m.fromName || m.fromAddress} words={highlight} />
                    {m.threadCount && m.threadCount > 1 ? <span className="ml-1 text-muted">({m.threadCount})</span> : null}
                  </span>
                  {m.hasAttachments && <span aria-label="Has attachment">📎</span>}
                  {m.flagged && <span aria-label="Flagged" className="text-amber-500">★</span>}
                  <time className="shrink-0 text-xs text-muted" dateTime={m.date}>{formatDate(m.date)}</time>
                </span>
                <span className={`truncate ${m.seen ? '' : 'font-semibold'}`}><Highlight text={m.subject || '(no subject)'} words={highlight} /></span>
                <span className="truncate text-xs text-muted"><Highlight text={m.preview} words={highlight} /></span>
              </button>
            </li>
          ))}
          <li ref={listEnd} className="p-3 text-center text-xs text-muted">
            {cursor ? (loading ? 'Loading…' : <button type="button" className="underline" onClick={() => void loadMore()}>More</button>) : messages.length === 0 ? 'No messages' : ''}
          </li>
        </ul>
      </section>

      <main className={`${view ? 'flex' : 'hidden md:flex'} min-h-0 flex-col`}>
        {view ? (
          <>
            <button type="button" className="m-2 self-start text-sm underline md:hidden" onClick={() => setView(null)}>← Back</button>
            <Reader
              view={view}
              thread={thread}
              remote={remote}
              isDraft={view.draft}
              inJunk={folder?.specialUse === '\\Junk'}
              onCommand={(c) => void act(c, undefined, [view.id])}
              onOpen={(id) => void open(id)}
              onShowImages={(always) => {
                const allowed = always && view.from[0] ? api.allowImagesFrom(view.from[0].address) : Promise.resolve(null);
                void allowed.then(() => api.message(view.id, true)).then((v) => { setRemote(true); setView(v); }).catch(fail);
              }}
            />
          </>
        ) : (
          <p className="m-auto text-sm text-muted">Select a message to read it. Press ? for keyboard shortcuts.</p>
        )}
      </main>

      {draft && (
        <Composer
          key={draft.draftId ?? `${draft.replyToId}-${draft.forwardOfId}-${draft.subject}`}
          initial={draft}
          from={account.displayName ? `${account.displayName} <${account.address}>` : account.address}
          suggestions={suggestions}
          onClose={() => { setDraft(null); void refreshFolders(); if (inDrafts) void refreshList(); }}
          onSent={() => { setDraft(null); show('Message sent'); void refreshFolders(); void refreshList(); }}
        />
      )}

      {help && (
        <div role="dialog" aria-label="Keyboard shortcuts" className="fixed inset-0 z-30 flex items-center justify-center bg-black/40" onClick={() => setHelp(false)}>
          <div className="rounded-lg bg-background p-4 shadow-xl" onClick={(e) => e.stopPropagation()}>
            <h2 className="mb-2 font-semibold">Keyboard shortcuts</h2>
            <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
              {SHORTCUTS.map(([key, what]) => (
                <div key={key} className="contents"><dt><kbd className="rounded border border-border px-1">{key}</kbd></dt><dd>{what}</dd></div>
              ))}
            </dl>
            <button type="button" className="mt-3 text-sm underline" onClick={() => setHelp(false)} autoFocus>Close</button>
          </div>
        </div>
      )}

      <div aria-live="polite" className="pointer-events-none fixed bottom-4 left-1/2 -translate-x-1/2">
        {notice && <p className="rounded bg-foreground px-3 py-2 text-sm text-background" data-testid="notice">{notice}</p>}
      </div>
    </div>
  );
}
