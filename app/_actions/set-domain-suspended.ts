'use server';
// Platform admins only: a suspended domain receives no mail and its accounts
// cannot sign in.
import { z } from 'zod';
import { revalidatePath } from 'next/cache';
import { runAction, type ActionState } from '../_lib/action.ts';
import { checkbox, domainName } from '../_lib/fields.ts';
import { AccessDenied, requirePlatformAdmin } from '../_lib/session.ts';
import { ValidationError } from '@/mail-daemon/errors/validation-error.ts';
import { findDomain, setDomainSuspended } from '@/mail-daemon/domains/domains.ts';

export async function setDomainSuspendedAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction(z.object({ domain: domainName, suspended: checkbox }), formData, async (input) => {
    const { store, account } = await requirePlatformAdmin();
    const domain = await findDomain(store, input.domain);
    if (!domain) throw new AccessDenied(404, `There is no domain ${input.domain}.`);
    if (domain.id === account.domainId && input.suspended) throw new ValidationError('domain', 'You cannot suspend the domain of your own account.');
    await setDomainSuspended(store, domain.id, input.suspended);
    revalidatePath('/admin');
    return `${domain.name} is ${input.suspended ? 'suspended' : 'active'}.`;
  });
}
