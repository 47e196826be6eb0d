// The browser's side of app/api/mail: small typed fetch helpers. Every call
// is answered for the signed-in account only; errors carry the server's words.
import type { FolderView } from '@/mail-daemon/webmail/folders.ts';
import type { MessagePage, MessageSummaryRow } from '@/mail-daemon/webmail/message-list.ts';
import type { MessageView } from '@/mail-daemon/webmail/message-view.ts';
import type { MessageAction } from '@/mail-daemon/webmail/message-actions.ts';
import type { SearchPage } from '@/mail-daemon/webmail/search.ts';
import type { Draft } from '@/mail-daemon/webmail/compose.ts';

export type { FolderView, MessagePage, MessageSummaryRow, MessageView, MessageAction, SearchPage };

/** A draft as the browser holds it: attachments are references to stored parts until sent. */
export type DraftJson = Omit<Draft, 'attachments'> & { attachments: { messageId: number; path: string; filename?: string }[] };

/** How a folder is listed: grouped by conversation or not, newest or oldest first. */
export interface ListView {
  threads: boolean;
  order: 'newest' | 'oldest';
}

/** The query string of a list view, for page URLs and the API alike. */
export function listQuery(view: ListView, lead: '?' | '&'): string {
  const params = [view.threads ? 'threads=1' : '', view.order === 'oldest' ? 'order=oldest' : ''].filter(Boolean);
  return params.length > 0 ? `${lead}${params.join('&')}` : '';
}

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly field?: string,
  ) {
    super(message);
  }
}

async function json<T>(response: Response): Promise<T> {
  if (response.status === 401) {
    window.location.href = '/login';
    throw new ApiError('Sign in first.', 401);
  }
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new ApiError(body.error ?? `Request failed (${response.status})`, response.status, body.field);
  return body as T;
}

export const api = {
  folders: () => fetch('/api/mail/folders').then((r) => json<{ folders: FolderView[] }>(r)),
  createFolder: (name: string) => fetch('/api/mail/folders', { method: 'POST', body: JSON.stringify({ name }) }).then((r) => json<{ id: number }>(r)),
  renameFolder: (id: number, name: string) => fetch(`/api/mail/folders/${id}`, { method: 'PATCH', body: JSON.stringify({ name }) }).then((r) => json<{ id: number }>(r)),
  deleteFolder: async (id: number) => {
    const r = await fetch(`/api/mail/folders/${id}`, { method: 'DELETE' });
    if (!r.ok) await json(r);
  },
  page: (folderId: number, cursor: string | null, view: ListView) =>
    fetch(`/api/mail/folders/${folderId}/messages?limit=50${listQuery(view, '&')}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`).then((r) => json<MessagePage>(r)),
  message: (id: number, remote = false) => fetch(`/api/mail/messages/${id}${remote ? '?remote=1' : ''}`).then((r) => json<MessageView>(r)),
  thread: (threadId: string) => fetch(`/api/mail/threads?id=${encodeURIComponent(threadId)}`).then((r) => json<{ messages: MessageSummaryRow[] }>(r)),
  act: (ids: number[], action: MessageAction) =>
    fetch('/api/mail/actions', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ ids, action }) }).then((r) => json<{ count: number }>(r)),
  draftFor: (id: number, mode: 'reply' | 'reply-all' | 'forward' | 'edit') => fetch(`/api/mail/messages/${id}/draft?mode=${mode}`).then((r) => json<DraftJson>(r)),
  newDraft: () => fetch('/api/mail/compose').then((r) => json<DraftJson>(r)),
  addresses: (typed: string) =>
    fetch(`/api/mail/addresses?q=${encodeURIComponent(typed)}`).then((r) => json<{ suggestions: { name: string; address: string }[] }>(r)).then((r) => r.suggestions),
  search: (params: URLSearchParams) => fetch(`/api/mail/search?${params}`).then((r) => json<SearchPage>(r)),
  allowImagesFrom: (address: string) =>
    fetch('/api/mail/image-senders', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ address }) }).then((r) => json<{ address: string }>(r)),
};

/** Saves or sends with upload progress (XMLHttpRequest: fetch reports none). */
export function submitDraft(
  draft: DraftJson,
  files: File[],
  intent: 'save' | 'send',
  onProgress?: (fraction: number) => void,
): Promise<{ draftId?: number; sent?: boolean }> {
  const form = new FormData();
  form.set('draft', JSON.stringify({ ...draft, attachments: draft.attachments.map(({ messageId, path }) => ({ messageId, path })) }));
  form.set('intent', intent);
  for (const file of files) form.append('file', file);
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/api/mail/compose');
    xhr.responseType = 'json';
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress?.(e.loaded / e.total);
    xhr.onload = () => {
      const body = xhr.response ?? {};
      if (xhr.status >= 200 && xhr.status < 300) resolve(body);
      else reject(new ApiError(body.error ?? `Request failed (${xhr.status})`, xhr.status, body.field));
    };
    xhr.onerror = () => reject(new ApiError('The server could not be reached.', 0));
    xhr.send(form);
  });
}

export function formatDate(iso: string): string {
  const date = new Date(iso);
  const now = new Date();
  if (date.toDateString() === now.toDateString()) return date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  if (date.getFullYear() === now.getFullYear()) return date.toLocaleDateString([], { month: 'short', day: 'numeric' });
  return date.toLocaleDateString();
}

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} kB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
