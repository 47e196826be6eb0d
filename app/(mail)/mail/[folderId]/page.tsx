// One folder of the signed-in account: the folder list, the first page of
// messages and the message named by ?m=, loaded on the server and handed to
// the client app. A folder id that is not the account's is a 404.
import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { forPage, requireSignedIn } from '@/app/_lib/session.ts';
import { StoreError } from '@/mail-daemon/store/errors.ts';
import { getSettings } from '@/mail-daemon/settings/account-settings.ts';
import { listFolders } from '@/mail-daemon/webmail/folders.ts';
import { listMessagePage } from '@/mail-daemon/webmail/message-list.ts';
import { navAccount } from '@/app/_lib/nav-account.ts';
import { MailApp } from '../_components/mail-app.tsx';
import { mailTitle } from '../_components/mail-title.ts';

export const dynamic = 'force-dynamic';

export async function generateMetadata({ params }: { params: Promise<{ folderId: string }> }): Promise<Metadata> {
  const { store, account } = await forPage(requireSignedIn);
  const folderId = Number((await params).folderId);
  const folders = await listFolders(store, account.id);
  return { title: mailTitle(folders.find((f) => f.id === folderId), account.address) };
}

export default async function FolderPage({ params, searchParams }: { params: Promise<{ folderId: string }>; searchParams: Promise<{ threads?: string; order?: string }> }) {
  const { store, account } = await forPage(requireSignedIn);
  const folderId = Number((await params).folderId);
  const query = await searchParams;
  const threads = query.threads === '1';
  const order = query.order === 'oldest' ? 'oldest' : 'newest';
  if (!Number.isSafeInteger(folderId) || folderId <= 0) notFound();
  try {
    const [folders, page, settings, nav] = await Promise.all([
      listFolders(store, account.id),
      listMessagePage(store, account.id, folderId, { limit: 50, threads, order }),
      getSettings(store, account.id),
      navAccount(store, account),
    ]);
    return (
      <MailApp
        account={{ address: account.address, displayName: account.displayName }}
        nav={nav}
        folders={folders}
        folderId={folderId}
        initialPage={page}
        threads={threads}
        order={order}
        hasSignature={settings.signature.trim().length > 0}
      />
    );
  } catch (error) {
    if (error instanceof StoreError && error.code === 'NONEXISTENT') notFound();
    throw error;
  }
}
