'use server';
// Deletes a mailbox with all its mail; the form asks first, and the address
// must be typed again.
import { z } from 'zod';
import { revalidatePath } from 'next/cache';
import { removeAccount } from '@/mail-daemon/accounts/accounts.ts';
import { ValidationError } from '@/mail-daemon/errors/validation-error.ts';
import { runAction, type ActionState } from '../_lib/action.ts';
import { address, optionalText } from '../_lib/fields.ts';
import { requireMailboxAdmin } from '../_lib/session.ts';

export async function deleteMailboxAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction(z.object({ address, confirmAddress: optionalText(254) }), formData, async (input) => {
    const { store, target, account, domain } = await requireMailboxAdmin(input.address);
    if (target.id === account.id) throw new ValidationError('address', 'You cannot delete your own account.');
    if (input.confirmAddress.trim().toLowerCase() !== target.address) throw new ValidationError('confirmAddress', `Type ${target.address} to confirm.`);
    await removeAccount(store, target.address);
    revalidatePath(`/domains/${domain.name}`);
    return `Deleted ${target.address}.`;
  });
}
