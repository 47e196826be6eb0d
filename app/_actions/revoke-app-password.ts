'use server';
import { z } from 'zod';
import { revalidatePath } from 'next/cache';
import { revokeAppPassword } from '@/mail-daemon/accounts/app-passwords.ts';
import { runAction, type ActionState } from '../_lib/action.ts';
import { id } from '../_lib/fields.ts';
import { requireSignedIn } from '../_lib/session.ts';

export async function revokeAppPasswordAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction(z.object({ id }), formData, async (input) => {
    const { store, account } = await requireSignedIn();
    // Scoped to the account: another account's id is "no such app password".
    await revokeAppPassword(store, account.id, input.id);
    revalidatePath('/settings');
    return 'Revoked.';
  });
}
