'use server';
// Whether public signup is open, and the catch-all target.
import { z } from 'zod';
import { revalidatePath } from 'next/cache';
import { updateDomainSettings } from '@/mail-daemon/domains/domains.ts';
import { runAction, type ActionState } from '../_lib/action.ts';
import { checkbox, domainName, optionalText } from '../_lib/fields.ts';
import { requireDomainAdmin } from '../_lib/session.ts';

const schema = z.object({ domain: domainName, signupOpen: checkbox, catchAllTarget: optionalText(254) });

export async function updateDomainAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction(schema, formData, async (input) => {
    const { store, domain } = await requireDomainAdmin(input.domain);
    await updateDomainSettings(store, domain.id, { signupOpen: input.signupOpen, catchAllTarget: input.catchAllTarget });
    revalidatePath(`/domains/${domain.name}`);
    return 'Saved.';
  });
}
