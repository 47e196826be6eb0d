'use client';
// The folder pane: Compose, the folders (drop targets for dragged messages)
// with their unread counts, and creating, renaming and deleting a folder.
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { api, listQuery, type FolderView, type ListView } from './mail-api.ts';
import { FolderNameForm } from './folder-name-form.tsx';

export function FolderPane({
  folders,
  folderId,
  listView,
  onCompose,
  onMove,
  onChanged,
  onError,
}: {
  folders: FolderView[];
  folderId: number;
  listView: ListView;
  onCompose: () => void;
  /** Messages dropped on a folder. */
  onMove: (ids: number[], target: FolderView) => void;
  onChanged: () => Promise<unknown>;
  onError: (error: unknown) => void;
}) {
  const router = useRouter();
  const folder = folders.find((f) => f.id === folderId);
  const inbox = folders.find((f) => f.specialUse === '\\Inbox');
  // The inline form for a folder's name: a new folder, or the selected one renamed.
  const [folderForm, setFolderForm] = useState<'create' | 'rename' | null>(null);

  async function saveFolderName(name: string) {
    if (folderForm === 'rename' && folder && name !== folder.name) await api.renameFolder(folder.id, name);
    if (folderForm === 'create') await api.createFolder(name);
    setFolderForm(null);
    await onChanged();
  }

  async function deleteFolder() {
    if (!folder || folder.specialUse || !confirm(`Delete the folder ${folder.name}, its subfolders and all their messages?`)) return;
    try {
      await api.deleteFolder(folder.id);
      router.push(`/mail/${inbox?.id ?? ''}`);
    } catch (e) {
      onError(e);
    }
  }

  const onDrop = (event: React.DragEvent, target: FolderView) => {
    event.preventDefault();
    const ids = JSON.parse(event.dataTransfer.getData('application/x-mail-ids') || '[]') as number[];
    if (ids.length > 0 && target.id !== folderId) onMove(ids, target);
  };

  return (
    <nav aria-label="Folders" className="hidden flex-col gap-1 overflow-y-auto border-r border-border p-2 md:flex">
      <button type="button" className="mb-2 rounded bg-accent px-3 py-2 text-sm font-medium text-accent-foreground" data-testid="compose" onClick={onCompose}>Compose</button>
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
  );
}
