'use server';
import { z } from 'zod';
import { revalidatePath } from 'next/cache';
import { rotateDkimKey } from '@/mail-daemon/domains/domains.ts';
import { runAction, type ActionState } from '../_lib/action.ts';
import { domainName } from '../_lib/fields.ts';
import { requireDomainAdmin } from '../_lib/session.ts';

export async function rotateDkimAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction(z.object({ domain: domainName }), formData, async (input) => {
    const { store, domain } = await requireDomainAdmin(input.domain);
    const rotated = await rotateDkimKey(store, domain.name);
    revalidatePath(`/domains/${domain.name}/dns`);
    return `New DKIM key with selector ${rotated.dkimSelector}: publish its record, then remove the old one.`;
  });
}
