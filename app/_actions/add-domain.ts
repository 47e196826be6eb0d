'use server';
// Any signed-in user may add a domain, which then administers it. Until the
// TXT record proves ownership the domain receives no mail; platform admins'
// domains count as verified at once.
import { z } from 'zod';
import { redirect } from 'next/navigation';
import { addDomain } from '@/mail-daemon/domains/domains.ts';
import { addDomainAdmin } from '@/mail-daemon/domains/domain-admins.ts';
import { ValidationError } from '@/mail-daemon/validation-error.ts';
import { runAction, type ActionState } from '../_lib/action.ts';
import { domainName } from '../_lib/fields.ts';
import { requireSignedIn } from '../_lib/session.ts';

// Unverified domains a user may have pending at once.
const MAX_UNVERIFIED_PER_USER = 5;

export async function addDomainAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  let added: string | null = null;
  const result = await runAction(z.object({ domain: domainName }), formData, async (input) => {
    const { store, account } = await requireSignedIn();
    const platformAdmin = account.role === 'admin';
    if (!platformAdmin) {
      const pending = await store.database.prisma.domain.count({ where: { verified: false, admins: { some: { accountId: account.id } } } });
      if (pending >= MAX_UNVERIFIED_PER_USER) throw new ValidationError('domain', `Verify your other domains first (at most ${MAX_UNVERIFIED_PER_USER} waiting).`);
    }
    const domain = await addDomain(store, input.domain, { verified: platformAdmin });
    if (!platformAdmin) await addDomainAdmin(store, domain.id, account.id);
    added = domain.name;
  });
  // Outside runAction: redirect() works by throwing.
  if (added) redirect(`/domains/${added}/dns`);
  return result;
}
