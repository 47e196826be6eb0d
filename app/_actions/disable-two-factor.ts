'use server';
import { z } from 'zod';
import { revalidatePath } from 'next/cache';
import { authenticate } from '@/mail-daemon/accounts/accounts.ts';
import { disableTwoFactor } from '@/mail-daemon/accounts/totp.ts';
import { ValidationError } from '@/mail-daemon/errors/validation-error.ts';
import { runAction, type ActionState } from '../_lib/action.ts';
import { password } from '../_lib/fields.ts';
import { requireSignedIn } from '../_lib/session.ts';

export async function disableTwoFactorAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction(z.object({ password }), formData, async (input) => {
    const { store, account } = await requireSignedIn();
    if (!(await authenticate(store, account.address, input.password, { purpose: 'web' }))) throw new ValidationError('password', 'The password is not right.');
    await disableTwoFactor(store, account.id);
    revalidatePath('/settings');
    return 'Two-factor sign-in is off.';
  });
}
