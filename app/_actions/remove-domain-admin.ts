'use server';
// Takes the domain away from one of its administrators (never the last one).
import { z } from 'zod';
import { revalidatePath } from 'next/cache';
import { revokeDomainAdmin } from '@/mail-daemon/domains/domain-admins.ts';
import { runAction, type ActionState } from '../_lib/action.ts';
import { address, domainName } from '../_lib/fields.ts';
import { requireDomainAdmin } from '../_lib/session.ts';

export async function removeDomainAdminAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction(z.object({ domain: domainName, address }), formData, async (input) => {
    const { store, domain } = await requireDomainAdmin(input.domain);
    await revokeDomainAdmin(store, domain.name, input.address);
    revalidatePath(`/domains/${domain.name}`);
    return `${input.address.toLowerCase()} no longer administers ${domain.name}.`;
  });
}
