'use client';
// The webmail screen: it holds the state (folders, the loaded rows, the
// selection, the open message, the draft) and lays out the panes: search bar,
// folder pane, list toolbar and message list, reading pane, composer. Live
// through useMailEvents; the tab title shows the Inbox's unread count;
// keyboard through useMailShortcuts. On a phone one pane shows at a time.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { api, ApiError, type DraftJson, type FolderView, type MessagePage, type MessageSummaryRow, type MessageView } from './mail-api.ts';
import type { ReaderCommand } from './reader.tsx';
import { Composer } from './composer.tsx';
import { SearchBar, control } from './search-bar.tsx';
import { FolderPane } from './folder-pane.tsx';
import { ListToolbar } from './list-toolbar.tsx';
import { MessageList } from './message-list.tsx';
import { ReadingPane } from './reading-pane.tsx';
import { ShortcutsDialog } from './shortcuts-dialog.tsx';
import { useMailEvents } from './use-mail-events.ts';
import { useMailShortcuts } from './use-mail-shortcuts.ts';
import { mailTitle } from './mail-title.ts';
import { TopBar } from '@/app/_components/top-bar.tsx';
import type { NavAccount } from '@/app/_lib/nav-account.ts';

export function MailApp({
  account,
  nav,
  folders: initialFolders,
  folderId,
  initialPage,
  threads,
  order,
}: {
  account: { address: string; displayName: string };
  nav: NavAccount;
  folders: FolderView[];
  folderId: number;
  initialPage: MessagePage;
  threads: boolean;
  order: 'newest' | 'oldest';
  hasSignature: boolean;
}) {
  const listView = useMemo(() => ({ threads, order }), [threads, order]);
  const [folders, setFolders] = useState(initialFolders);
  const [messages, setMessages] = useState(initialPage.messages);
  const [cursor, setCursor] = useState(initialPage.nextCursor);
  const [focus, setFocus] = useState(0);
  const [selected, setSelected] = useState<Set<number>>(new Set());
  const [view, setView] = useState<MessageView | null>(null);
  const [remote, setRemote] = useState(false);
  const [draft, setDraft] = useState<DraftJson | null>(null);
  const [search, setSearch] = useState('');
  const [searching, setSearching] = useState<{ highlight: string[] } | null>(null);
  const [advanced, setAdvanced] = useState(false);
  const [help, setHelp] = useState(false);
  const [notice, setNotice] = useState('');
  const [loading, setLoading] = useState(false);
  const searchBox = useRef<HTMLInputElement>(null);
  // "false" in the server's HTML until React has taken over (tests wait for it).
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);

  const folder = folders.find((f) => f.id === folderId);
  const inDrafts = folder?.specialUse === '\\Drafts';
  const inSent = folder?.specialUse === '\\Sent';
  const suggestions = useMemo(
    () => [...new Set(messages.flatMap((m) => [m.fromAddress, ...m.toAddresses.split(', ')]).filter((a) => a && a !== account.address))].slice(0, 200),
    [messages, account.address],
  );

  const title = mailTitle(folder, account.address);
  useEffect(() => {
    document.title = title;
  }, [title]);

  const show = (text: string) => {
    setNotice(text);
    window.setTimeout(() => setNotice((n) => (n === text ? '' : n)), 4000);
  };
  const fail = (e: unknown) => show(e instanceof ApiError ? e.message : 'Something went wrong.');

  const refreshFolders = useCallback(() => api.folders().then((r) => setFolders(r.folders)).catch(() => undefined), []);

  const runSearch = useCallback(
    async (query: string, after: string | null = null) => {
      const params = new URLSearchParams({ q: query.trim() });
      if (after) params.set('cursor', after);
      const page = await api.search(params);
      setMessages((m) => (after ? [...m, ...page.messages] : page.messages));
      setCursor(page.nextCursor);
      setSearching({ highlight: page.highlight });
    },
    [],
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

  useMailEvents(folderId, { refreshList, refreshFolders });

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

  const compose = () => void api.newDraft().then(setDraft).catch(fail);
  const toggleSelected = (id: number, on: boolean) =>
    setSelected((s) => {
      const n = new Set(s);
      if (on) n.add(id);
      else n.delete(id);
      return n;
    });

  const row = messages[focus];
  useMailShortcuts(
    !draft,
    {
      j: () => setFocus((f) => Math.min(f + 1, messages.length - 1)),
      k: () => setFocus((f) => Math.max(f - 1, 0)),
      o: () => row && void open(row.id),
      Enter: () => row && void open(row.id),
      x: () => row && toggleSelected(row.id, !selected.has(row.id)),
      u: () => void act('unread'),
      s: () => void act('flag'),
      r: () => void act('reply'),
      a: () => void act('reply-all'),
      f: () => void act('forward'),
      e: () => void act('archive'),
      '#': () => void act('delete'),
      '/': () => searchBox.current?.focus(),
      c: compose,
      '?': () => setHelp((h) => !h),
      Escape: () => { setHelp(false); setView(null); setSelected(new Set()); },
    },
    focus,
  );

  const submitSearch = (event: React.FormEvent) => {
    event.preventDefault();
    setView(null);
    setFocus(0);
    if (!search.trim()) {
      setSearching(null);
      void api.page(folderId, null, listView).then((p) => { setMessages(p.messages); setCursor(p.nextCursor); });
      return;
    }
    void runSearch(search).catch(fail);
  };

  return (
    <div data-hydrated={hydrated} className="grid h-dvh grid-cols-[minmax(0,1fr)] grid-rows-[auto_auto_minmax(0,1fr)] md:grid-cols-[13rem_minmax(18rem,26rem)_minmax(0,1fr)]">
      <div className="col-span-full"><TopBar account={nav} /></div>
      <div className="col-span-full flex min-w-0 items-start gap-2 border-b border-border px-3 py-2">
        <SearchBar query={search} onChange={setSearch} advanced={advanced} onToggleAdvanced={() => setAdvanced((a) => !a)} onSubmit={submitSearch} inputRef={searchBox} folderName={folder?.name ?? ''} />
        <button type="button" className={control} onClick={() => setHelp(true)} aria-label="Keyboard shortcuts">?</button>
      </div>

      <FolderPane
        folders={folders}
        folderId={folderId}
        listView={listView}
        onCompose={compose}
        onMove={(ids, target) => void act('move', target.id, ids)}
        onChanged={refreshFolders}
        onError={fail}
      />

      <section aria-label="Messages" className={`${view ? 'hidden md:flex' : 'flex'} min-h-0 flex-col border-r border-border`}>
        <ListToolbar
          folders={folders}
          folderId={folderId}
          listView={listView}
          title={searching ? 'Search results' : (folder?.label ?? '')}
          searching={Boolean(searching)}
          selectedCount={selected.size}
          onCompose={compose}
          onArchive={() => void act('archive')}
          onDelete={() => void act('delete')}
          onUnread={() => void act('unread')}
          onMove={(mailboxId) => void act('move', mailboxId)}
          onClearSelection={() => setSelected(new Set())}
        />
        <MessageList
          messages={messages}
          focus={focus}
          openId={view?.id ?? null}
          selected={selected}
          onSelect={toggleSelected}
          onOpen={(i) => { setFocus(i); void open(messages[i].id); }}
          highlight={searching?.highlight ?? []}
          showRecipients={inSent || inDrafts}
          hasMore={Boolean(cursor)}
          loading={loading}
          onLoadMore={loadMore}
        />
      </section>

      <ReadingPane
        view={view}
        remote={remote}
        inJunk={folder?.specialUse === '\\Junk'}
        onClose={() => setView(null)}
        onCommand={(c, id) => void act(c, undefined, [id])}
        onOpen={(id) => void open(id)}
        onShown={(v) => { setRemote(true); setView(v); }}
        onError={fail}
      />

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

      {help && <ShortcutsDialog onClose={() => setHelp(false)} />}

      <div aria-live="polite" className="pointer-events-none fixed bottom-4 left-1/2 -translate-x-1/2">
        {notice && <p className="rounded bg-foreground px-3 py-2 text-sm text-background" data-testid="notice">{notice}</p>}
      </div>
    </div>
  );
}
