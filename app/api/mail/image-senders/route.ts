// Allowing a sender's remote images for good (POST {address}): the messages
// of that sender then open with their images, in every browser.
import { allowRemoteImagesFrom } from '@/mail-daemon/settings/remote-image-senders.ts';
import { mailRoute } from '../_lib/mail-route.ts';

export const dynamic = 'force-dynamic';

export const POST = mailRoute(async ({ store, account }, request) => {
  const body = (await request.json().catch(() => null)) as { address?: unknown } | null;
  const address = await allowRemoteImagesFrom(store, account.id, typeof body?.address === 'string' ? body.address : '');
  return Response.json({ address });
});
