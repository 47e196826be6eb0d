'use server';
import { z } from 'zod';
import { revalidatePath } from 'next/cache';
import { deleteQueueEntry } from '@/mail-daemon/queue/queue-admin.ts';
import { runAction, type ActionState } from '../_lib/action.ts';
import { id } from '../_lib/fields.ts';
import { requirePlatformAdmin } from '../_lib/session.ts';

export async function deleteQueueEntryAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction(z.object({ id }), formData, async (input) => {
    const { store } = await requirePlatformAdmin();
    await deleteQueueEntry(store, input.id);
    revalidatePath('/admin/queue');
    return `Entry ${input.id} deleted.`;
  });
}
