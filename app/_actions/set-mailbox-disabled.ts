'use server';
// Disable (suspend) or enable a mailbox: a disabled one cannot sign in
// anywhere (authenticate() refuses it) and the web drops its session.
import { z } from 'zod';
import { revalidatePath } from 'next/cache';
import { runAction, type ActionState } from '../_lib/action.ts';
import { address, checkbox } from '../_lib/fields.ts';
import { requireMailboxAdmin } from '../_lib/session.ts';
import { ValidationError } from '@/mail-daemon/errors/validation-error.ts';
import { setAccountDisabled } from '@/mail-daemon/accounts/accounts.ts';

export async function setMailboxDisabledAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction(z.object({ address, disabled: checkbox }), formData, async (input) => {
    const { store, target, account } = await requireMailboxAdmin(input.address);
    if (target.id === account.id) throw new ValidationError('address', 'You cannot disable your own account.');
    await setAccountDisabled(store, target.id, input.disabled);
    revalidatePath('/domains', 'layout');
    revalidatePath('/admin');
    return `${target.address} is ${input.disabled ? 'disabled' : 'enabled'}.`;
  });
}
