'use server';
import { z } from 'zod';
import { revalidatePath } from 'next/cache';
import { confirmTwoFactor } from '@/mail-daemon/accounts/totp.ts';
import { runAction, type ActionState } from '../_lib/action.ts';
import { requiredText } from '../_lib/fields.ts';
import { requireSignedIn } from '../_lib/session.ts';

const schema = z.object({ code: requiredText('the 6-digit code', 10).regex(/^\d{6}$/, 'The code is 6 digits.') });

export async function confirmTwoFactorAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction(schema, formData, async (input) => {
    const { store, account } = await requireSignedIn();
    await confirmTwoFactor(store, account.id, input.code);
    revalidatePath('/settings');
    return 'Two-factor sign-in is on. Mail clients now need app passwords.';
  });
}
