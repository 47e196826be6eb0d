'use server';
// Stops hosting a domain: only one without mailboxes and aliases (so no mail
// is dropped by accident), and the domain's name must be typed again.
import { z } from 'zod';
import { redirect } from 'next/navigation';
import { removeDomain } from '@/mail-daemon/domains/domains.ts';
import { ValidationError } from '@/mail-daemon/errors/validation-error.ts';
import { runAction, type ActionState } from '../_lib/action.ts';
import { domainName, optionalText } from '../_lib/fields.ts';
import { requireDomainAdmin } from '../_lib/session.ts';

export async function removeDomainAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  let removed = false;
  const result = await runAction(z.object({ domain: domainName, confirmName: optionalText(253) }), formData, async (input) => {
    const { store, domain } = await requireDomainAdmin(input.domain);
    if (input.confirmName.trim().toLowerCase() !== domain.name) throw new ValidationError('confirmName', `Type ${domain.name} to confirm.`);
    await removeDomain(store, domain.name);
    removed = true;
  });
  // Outside runAction: redirect() works by throwing.
  if (removed) redirect('/domains');
  return result;
}
