'use client';
// The bar above the message list: on a phone the folder menu and Compose; the
// folder's name, its sort and grouping. With messages selected, a second row
// of its own holds what can be done to them, so it never pushes into the
// reading pane (Gmail swaps its toolbar the same way).
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { listQuery, type FolderView, type ListView } from './mail-api.ts';
import { control } from './search-bar.tsx';

export function ListToolbar({
  folders,
  folderId,
  listView,
  title,
  searching,
  selectedCount,
  onCompose,
  onArchive,
  onDelete,
  onUnread,
  onMove,
  onClearSelection,
}: {
  folders: FolderView[];
  folderId: number;
  listView: ListView;
  title: string;
  searching: boolean;
  selectedCount: number;
  onCompose: () => void;
  onArchive: () => void;
  onDelete: () => void;
  onUnread: () => void;
  onMove: (mailboxId: number) => void;
  onClearSelection: () => void;
}) {
  const router = useRouter();
  const { order, threads } = listView;
  return (
    <div className="flex min-w-0 flex-col border-b border-border text-sm">
      <div className="flex min-w-0 items-center gap-2 px-3 py-2">
        <select aria-label="Folder" className={`${control} min-w-0 md:hidden`} value={folderId} onChange={(e) => router.push(`/mail/${e.target.value}`)}>
          {folders.map((f) => <option key={f.id} value={f.id}>{`${'  '.repeat(f.depth)}${f.label}${f.unread ? ` (${f.unread})` : ''}`}</option>)}
        </select>
        <button type="button" className="btn btn-primary md:hidden" onClick={onCompose}>Compose</button>
        <h1 className="hidden truncate font-semibold md:block">{title}</h1>
        {!searching && (
          <span className="ml-auto flex shrink-0 gap-3 text-xs">
            <Link className="link" href={`/mail/${folderId}${listQuery({ ...listView, order: order === 'newest' ? 'oldest' : 'newest' }, '?')}`}>
              {order === 'newest' ? 'Newest first' : 'Oldest first'}
            </Link>
            <Link className="link" href={`/mail/${folderId}${listQuery({ ...listView, threads: !threads }, '?')}`}>
              {threads ? 'Show messages' : 'Conversations'}
            </Link>
          </span>
        )}
      </div>
      {selectedCount > 0 && (
        <div className="flex min-w-0 flex-wrap items-center gap-1 border-t border-border bg-accent-soft px-3 py-1.5" role="toolbar" aria-label="Selection" data-testid="selection-toolbar">
          <span className="mr-1 font-medium">{selectedCount} selected</span>
          <button type="button" className="btn btn-small" onClick={onArchive}>Archive</button>
          <button type="button" className="btn btn-small" onClick={onDelete}>Delete</button>
          <button type="button" className="btn btn-small" onClick={onUnread}>Unread</button>
          <select aria-label="Move to" className={`${control} min-w-0 max-w-40 py-0.5 text-xs`} value="" onChange={(e) => e.target.value && onMove(Number(e.target.value))}>
            <option value="">Move to…</option>
            {folders.filter((f) => f.id !== folderId).map((f) => <option key={f.id} value={f.id}>{f.name === "INBOX" ? f.label : f.name}</option>)}
          </select>
          <button type="button" className="btn btn-small ml-auto" onClick={onClearSelection} aria-label="Clear the selection">✕</button>
        </div>
      )}
    </div>
  );
}
