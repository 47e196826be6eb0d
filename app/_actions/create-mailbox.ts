'use server';
import { z } from 'zod';
import { revalidatePath } from 'next/cache';
import { createAccount } from '@/mail-daemon/accounts/accounts.ts';
import { parseAddress } from '@/mail-daemon/accounts/addresses.ts';
import { sendWelcome } from '@/mail-daemon/accounts/signup.ts';
import { ValidationError } from '@/mail-daemon/errors/validation-error.ts';
import { runAction, type ActionState } from '../_lib/action.ts';
import { newAccountFields, quotaMb } from '../_lib/fields.ts';
import { requireDomainAdmin } from '../_lib/session.ts';

const schema = z.object({
  ...newAccountFields,
  quotaMb,
  role: z.enum(['user', 'domain_admin'], { error: 'Choose a role.' }),
});

export async function createMailboxAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction(schema, formData, async (input) => {
    const { store, domain } = await requireDomainAdmin(input.domain);
    const { address } = parseAddress(`${input.localPart}@${domain.name}`, 'localPart');
    try {
      const account = await createAccount(store, { address, password: input.password, displayName: input.displayName, role: input.role, quotaBytes: input.quotaMb * 1024 * 1024 });
      await sendWelcome(store, account);
    } catch (error) {
      if (error instanceof ValidationError && error.field === 'address') throw new ValidationError('localPart', error.message);
      throw error;
    }
    revalidatePath(`/domains/${domain.name}`);
    return `Created ${address}.`;
  });
}
