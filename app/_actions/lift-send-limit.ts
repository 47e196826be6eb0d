'use server';
import { z } from 'zod';
import { revalidatePath } from 'next/cache';
import { liftSendLimit } from '@/mail-daemon/spam/send-limits.ts';
import { runAction, type ActionState } from '../_lib/action.ts';
import { id } from '../_lib/fields.ts';
import { requirePlatformAdmin } from '../_lib/session.ts';

export async function liftSendLimitAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction(z.object({ id }), formData, async (input) => {
    const { store } = await requirePlatformAdmin();
    await liftSendLimit(store, input.id);
    revalidatePath('/admin/queue');
    return 'The limit is lifted: the account may send again.';
  });
}
