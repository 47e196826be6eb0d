'use server';
// Public signup on a domain that allows it, limited per client address.
import { z } from 'zod';
import { signUp } from '@/mail-daemon/accounts/signup.ts';
import { getMailStore } from '@/mail-daemon/store/context.ts';
import { runAction, type ActionState } from '../_lib/action.ts';
import { newAccountFields } from '../_lib/fields.ts';
import { clientAddress, minutesText, signupLimiter } from '../_lib/web-limits.ts';

const schema = z.object(newAccountFields);

export async function signUpAccount(_state: ActionState, formData: FormData): Promise<ActionState> {
  const ip = await clientAddress();
  const limiter = signupLimiter();
  const wait = limiter.blockedFor(ip);
  if (wait > 0) return { ok: false, message: `Too many signups from your address; try again in ${minutesText(wait)}.`, at: Date.now() };
  return runAction(schema, formData, async (input) => {
    limiter.record(ip);
    const account = await signUp(await getMailStore(), input);
    return { message: `Created ${account.address}.`, data: { signIn: { address: account.address, to: '/mail' } } };
  });
}
