'use server';
// Any signed-in user may add a domain, which then administers it; the same
// addDomainAs as the tests (claims, their expiry, platform admins' takeover).
import { z } from 'zod';
import { redirect } from 'next/navigation';
import { loadConfig } from '@/mail-daemon/config/config.ts';
import { addDomainAs } from '@/mail-daemon/domains/domain-claims.ts';
import { runAction, type ActionState } from '../_lib/action.ts';
import { domainName } from '../_lib/fields.ts';
import { requireSignedIn } from '../_lib/session.ts';

export async function addDomainAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  let added: string | null = null;
  const result = await runAction(z.object({ domain: domainName }), formData, async (input) => {
    const { store, account } = await requireSignedIn();
    const domain = await addDomainAs(store, account, input.domain, loadConfig().unverifiedDomainExpiryMs);
    added = domain.name;
  });
  // Outside runAction: redirect() works by throwing.
  if (added) redirect(`/domains/${added}/dns`);
  return result;
}
