'use server';
import { z } from 'zod';
import { confirmTwoFactor } from '@/mail-daemon/accounts/totp.ts';
import { replaceRecoveryCodes } from '@/mail-daemon/accounts/recovery-codes.ts';
import { runAction, type ActionState } from '../_lib/action.ts';
import { requiredText } from '../_lib/fields.ts';
import { requireSignedIn } from '../_lib/session.ts';

const schema = z.object({ code: requiredText('the 6-digit code', 10).regex(/^\d{6}$/, 'The code is 6 digits.') });

export async function confirmTwoFactorAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction(schema, formData, async (input) => {
    const { store, account } = await requireSignedIn();
    await confirmTwoFactor(store, account.id, input.code);
    // The recovery codes come with turning it on, shown this once (as GitHub and Google do).
    // No revalidatePath here: the page would swap this form for the "on" state before the codes are read.
    const codes = await replaceRecoveryCodes(store, account.id);
    return {
      message: 'Two-factor sign-in is on. Mail clients now need app passwords.',
      data: { codes, revealLabel: 'Your recovery codes, each good for one sign-in if the app is lost. They are not shown again: download them or write them down.', done: 'I have saved them' },
    };
  });
}
