'use server';
import { z } from 'zod';
import { revalidatePath } from 'next/cache';
import { removeFilter } from '@/mail-daemon/settings/filters.ts';
import { runAction, type ActionState } from '../_lib/action.ts';
import { id } from '../_lib/fields.ts';
import { requireSignedIn } from '../_lib/session.ts';

export async function removeFilterAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction(z.object({ id }), formData, async (input) => {
    const { store, account } = await requireSignedIn();
    await removeFilter(store, account.id, input.id);
    revalidatePath('/settings');
    return 'Filter removed.';
  });
}
