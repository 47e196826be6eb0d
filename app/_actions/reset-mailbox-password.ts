'use server';
import { z } from 'zod';
import { setPassword } from '@/mail-daemon/accounts/accounts.ts';
import { runAction, type ActionState } from '../_lib/action.ts';
import { address, password } from '../_lib/fields.ts';
import { requireMailboxAdmin } from '../_lib/session.ts';

export async function resetMailboxPasswordAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction(z.object({ address, password }), formData, async (input) => {
    const { store, target } = await requireMailboxAdmin(input.address);
    await setPassword(store, target.address, input.password);
    return `New password set for ${target.address}.`;
  });
}
