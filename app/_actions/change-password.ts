'use server';
// A new password only with the current one. Sessions made with the old one
// end (see passwordStamp).
import { z } from 'zod';
import { authenticate, setPassword } from '@/mail-daemon/accounts/accounts.ts';
import { ValidationError } from '@/mail-daemon/errors/validation-error.ts';
import { runAction, type ActionState } from '../_lib/action.ts';
import { password } from '../_lib/fields.ts';
import { requireSignedIn } from '../_lib/session.ts';

const schema = z
  .object({ currentPassword: password, newPassword: password, repeatPassword: password })
  .refine((input) => input.newPassword === input.repeatPassword, { path: ['repeatPassword'], message: 'The two new passwords differ.' });

export async function changePasswordAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction(schema, formData, async (input) => {
    const { store, account } = await requireSignedIn();
    if (!(await authenticate(store, account.address, input.currentPassword, { purpose: 'web' }))) {
      throw new ValidationError('currentPassword', 'The current password is not right.');
    }
    try {
      await setPassword(store, account.address, input.newPassword);
    } catch (error) {
      if (error instanceof ValidationError && error.field === 'password') throw new ValidationError('newPassword', error.message);
      throw error;
    }
    // Every session made with the old password ends; this one signs in again.
    return { message: 'Your password is changed.', data: { signIn: { address: account.address, to: '/settings', passwordField: 'newPassword', stay: true } } };
  });
}
