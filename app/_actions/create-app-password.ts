'use server';
import { z } from 'zod';
import { revalidatePath } from 'next/cache';
import { createAppPassword } from '@/mail-daemon/accounts/app-passwords.ts';
import { runAction, type ActionState } from '../_lib/action.ts';
import { requiredText } from '../_lib/fields.ts';
import { requireSignedIn } from '../_lib/session.ts';

export async function createAppPasswordAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction(z.object({ name: requiredText('a name for the client', 100) }), formData, async (input) => {
    const { store, account } = await requireSignedIn();
    const { password } = await createAppPassword(store, account.id, input.name);
    revalidatePath('/settings');
    return { message: 'Created. It is shown only now.', data: { reveal: password, revealLabel: `Password for ${input.name}:` } };
  });
}
