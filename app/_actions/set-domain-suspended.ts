'use server';
// Platform admins only: a suspended domain receives no mail and its accounts
// cannot sign in.
import { z } from 'zod';
import { revalidatePath } from 'next/cache';
import { runAction, type ActionState } from '../_lib/action.ts';
import { checkbox, domainName } from '../_lib/fields.ts';
import { AccessDenied, requirePlatformAdmin } from '../_lib/session.ts';
import { ValidationError } from '@/mail-daemon/errors/validation-error.ts';

export async function setDomainSuspendedAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction(z.object({ domain: domainName, suspended: checkbox }), formData, async (input) => {
    const { store, account } = await requirePlatformAdmin();
    const domain = await store.database.prisma.domain.findUnique({ where: { name: input.domain.toLowerCase() } });
    if (!domain) throw new AccessDenied(404, `There is no domain ${input.domain}.`);
    if (domain.id === account.domainId && input.suspended) throw new ValidationError('domain', 'You cannot suspend the domain of your own account.');
    await store.database.prisma.domain.update({ where: { id: domain.id }, data: { disabled: input.suspended } });
    revalidatePath('/admin');
    return `${domain.name} is ${input.suspended ? 'suspended' : 'active'}.`;
  });
}
