'use client';
// Live updates from the store's change bus: a server-sent events stream from
// /api/mail/events; a burst of changes (a move is a removal and an addition)
// becomes one reload of the folders, and of the list if it changed.
import { useEffect, useRef } from 'react';

export function useMailEvents(folderId: number, reload: { refreshFolders: () => unknown; refreshList: () => unknown }) {
  const latest = useRef(reload);
  latest.current = reload;
  useEffect(() => {
    const source = new EventSource('/api/mail/events');
    let timer: number | undefined;
    const changed = new Set<number | undefined>();
    source.addEventListener('mail', (event) => {
      const change = JSON.parse((event as MessageEvent).data) as { kind: string; mailboxId?: number };
      changed.add(change.mailboxId);
      window.clearTimeout(timer);
      timer = window.setTimeout(() => {
        const { refreshList, refreshFolders } = latest.current;
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
}
