'use server';
import { z } from 'zod';
import { revalidatePath } from 'next/cache';
import { addFilter, FILTER_ACTIONS, FILTER_FIELDS } from '@/mail-daemon/settings/filters.ts';
import { runAction, type ActionState } from '../_lib/action.ts';
import { optionalText, requiredText } from '../_lib/fields.ts';
import { requireSignedIn } from '../_lib/session.ts';

const schema = z.object({
  field: z.enum(FILTER_FIELDS, { error: 'Choose sender, recipient or subject.' }),
  value: requiredText('the text to look for', 200),
  action: z.enum(FILTER_ACTIONS, { error: 'Choose an action.' }),
  folder: optionalText(200),
});

export async function addFilterAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction(schema, formData, async (input) => {
    const { store, account } = await requireSignedIn();
    await addFilter(store, account.id, input);
    revalidatePath('/settings');
    return 'Filter added.';
  });
}
