'use server';
import { z } from 'zod';
import { revalidatePath } from 'next/cache';
import { runAction, type ActionState } from '../_lib/action.ts';
import { address, quotaMb } from '../_lib/fields.ts';
import { requireMailboxAdmin } from '../_lib/session.ts';
import { setAccountQuota } from '@/mail-daemon/accounts/accounts.ts';

export async function setMailboxQuotaAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction(z.object({ address, quotaMb }), formData, async (input) => {
    const { store, target, domain } = await requireMailboxAdmin(input.address);
    await setAccountQuota(store, target.address, input.quotaMb * 1024 * 1024);
    revalidatePath(`/domains/${domain.name}`);
    return `Quota of ${target.address}: ${input.quotaMb} MB.`;
  });
}
