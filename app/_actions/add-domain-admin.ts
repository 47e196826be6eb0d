'use server';
// Lets an existing account (of any hosted domain) administer this domain.
import { z } from 'zod';
import { revalidatePath } from 'next/cache';
import { grantDomainAdmin } from '@/mail-daemon/domains/domain-admins.ts';
import { runAction, type ActionState } from '../_lib/action.ts';
import { address, domainName } from '../_lib/fields.ts';
import { requireDomainAdmin } from '../_lib/session.ts';

export async function addDomainAdminAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction(z.object({ domain: domainName, address }), formData, async (input) => {
    const { store, domain } = await requireDomainAdmin(input.domain);
    await grantDomainAdmin(store, domain.name, input.address);
    revalidatePath(`/domains/${domain.name}`);
    return `${input.address.toLowerCase()} now administers ${domain.name}.`;
  });
}
