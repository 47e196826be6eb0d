// Address suggestions for the composer: ?q=<what is typed>.
import { suggestAddresses } from '@/mail-daemon/webmail/address-suggestions.ts';
import { mailRoute } from '../_lib/mail-route.ts';

export const dynamic = 'force-dynamic';

export const GET = mailRoute(async ({ store, account }, request) => {
  const typed = new URL(request.url).searchParams.get('q') ?? '';
  return Response.json({ suggestions: await suggestAddresses(store, account.id, typed) });
});
