// The signed-in user's Apple configuration profile, a download from Settings
// for Mail on iPhone, iPad and macOS.
import { randomUUID } from 'node:crypto';
import { loadConfig } from '@/mail-daemon/config/config.ts';
import { appleMobileconfig } from '@/mail-daemon/settings/client-setup.ts';
import { requireSignedIn, withAuth } from '@/app/_lib/session.ts';

export const dynamic = 'force-dynamic';

export const GET = withAuth(async () => {
  const { account } = await requireSignedIn();
  const profile = appleMobileconfig(loadConfig(), { address: account.address, displayName: account.displayName }, randomUUID);
  return new Response(profile, {
    headers: {
      'content-type': 'application/x-apple-aspen-config; charset=utf-8',
      'content-disposition': `attachment; filename="${account.address.replace(/[^\w.@-]/g, '_')}.mobileconfig"`,
      'cache-control': 'no-store',
    },
  });
});
