'use server';
// First run: the primary domain and the platform admin. The page signs the
// admin in afterwards with the same credentials.
import { z } from 'zod';
import { runFirstSetup } from '@/mail-daemon/accounts/signup.ts';
import { getMailStore } from '@/mail-daemon/store/context.ts';
import { runAction, type ActionState } from '../_lib/action.ts';
import { newAccountFields } from '../_lib/fields.ts';

const schema = z.object(newAccountFields);

export async function setupPlatform(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction(schema, formData, async (input) => {
    const account = await runFirstSetup(await getMailStore(), input);
    return { message: `Created ${account.address}.`, data: { signIn: { address: account.address, to: '/mail' } } };
  });
}
