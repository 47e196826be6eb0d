'use server';
import { z } from 'zod';
import { revalidatePath } from 'next/cache';
import { runAction, type ActionState } from '../_lib/action.ts';
import { address, quotaMb } from '../_lib/fields.ts';
import { requireMailboxAdmin } from '../_lib/session.ts';

export async function setMailboxQuotaAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction(z.object({ address, quotaMb }), formData, async (input) => {
    const { store, target, domain } = await requireMailboxAdmin(input.address);
    await store.database.prisma.account.update({ where: { id: target.id }, data: { quotaBytes: BigInt(input.quotaMb) * 1024n * 1024n } });
    revalidatePath(`/domains/${domain.name}`);
    return `Quota of ${target.address}: ${input.quotaMb} MB.`;
  });
}
