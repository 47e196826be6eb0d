'use server';
import { z } from 'zod';
import { updateProfile } from '@/mail-daemon/settings/account-settings.ts';
import { runAction, type ActionState } from '../_lib/action.ts';
import { optionalText } from '../_lib/fields.ts';
import { requireSignedIn } from '../_lib/session.ts';

const schema = z.object({ displayName: optionalText(200), signature: optionalText(2000) });

export async function updateProfileAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction(schema, formData, async (input) => {
    const { store, account } = await requireSignedIn();
    await updateProfile(store, account.id, input);
    return 'Saved.';
  });
}
