'use client';
// The bar above the message list: on a phone the folder menu and Compose; the
// folder's name, its sort and grouping; and, with messages selected, what can
// be done to them.
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
}) {
  const router = useRouter();
  const { order, threads } = listView;
  return (
    <div className="flex items-center gap-2 border-b border-border px-3 py-2 text-sm">
      <select aria-label="Folder" className={`${control} md:hidden`} value={folderId} onChange={(e) => router.push(`/mail/${e.target.value}`)}>
        {folders.map((f) => <option key={f.id} value={f.id}>{`${'  '.repeat(f.depth)}${f.label}${f.unread ? ` (${f.unread})` : ''}`}</option>)}
      </select>
      <button type="button" className={`${control} md:hidden`} onClick={onCompose}>Compose</button>
      <h1 className="hidden font-semibold md:block">{title}</h1>
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
      {selectedCount > 0 && (
        <div className="ml-auto flex gap-1" role="toolbar" aria-label="Selection">
          <span>{selectedCount} selected</span>
          <button type="button" className="underline" onClick={onArchive}>Archive</button>
          <button type="button" className="underline" onClick={onDelete}>Delete</button>
          <button type="button" className="underline" onClick={onUnread}>Unread</button>
          <select aria-label="Move to" className={control} value="" onChange={(e) => e.target.value && onMove(Number(e.target.value))}>
            <option value="">Move to…</option>
            {folders.filter((f) => f.id !== folderId).map((f) => <option key={f.id} value={f.id}>{f.name}</option>)}
          </select>
        </div>
      )}
    </div>
  );
}
