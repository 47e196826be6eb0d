'use server';
import { z } from 'zod';
import { revalidatePath } from 'next/cache';
import { authenticate } from '@/mail-daemon/accounts/accounts.ts';
import { replaceRecoveryCodes } from '@/mail-daemon/accounts/recovery-codes.ts';
import { twoFactorEnabled } from '@/mail-daemon/accounts/totp.ts';
import { ValidationError } from '@/mail-daemon/errors/validation-error.ts';
import { runAction, type ActionState } from '../_lib/action.ts';
import { password } from '../_lib/fields.ts';
import { requireSignedIn } from '../_lib/session.ts';

export async function replaceRecoveryCodesAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction(z.object({ password }), formData, async (input) => {
    const { store, account } = await requireSignedIn();
    if (!(await authenticate(store, account.address, input.password, { purpose: 'web' }))) throw new ValidationError('password', 'The password is not right.');
    if (!(await twoFactorEnabled(store, account.id))) throw new ValidationError('password', 'Two-factor sign-in is off: there are no recovery codes to replace.');
    const codes = await replaceRecoveryCodes(store, account.id);
    revalidatePath('/settings');
    return { message: 'New recovery codes; the old ones no longer work. They are not shown again.', data: { codes, revealLabel: 'Recovery codes:' } };
  });
}
