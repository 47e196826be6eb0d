'use server';
import { z } from 'zod';
import { revalidatePath } from 'next/cache';
import { addAlias } from '@/mail-daemon/aliases/aliases.ts';
import { parseAddress } from '@/mail-daemon/accounts/addresses.ts';
import { ValidationError } from '@/mail-daemon/errors/validation-error.ts';
import { runAction, type ActionState } from '../_lib/action.ts';
import { domainName, localPart, requiredText } from '../_lib/fields.ts';
import { requireDomainAdmin } from '../_lib/session.ts';

const schema = z.object({
  domain: domainName,
  localPart,
  targets: requiredText('at least one target address', 5000),
});

export async function addAliasAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction(schema, formData, async (input) => {
    const { store, domain } = await requireDomainAdmin(input.domain);
    const { address } = parseAddress(`${input.localPart}@${domain.name}`, 'localPart');
    const targets = input.targets.split(/[\s,;]+/).filter(Boolean);
    try {
      await addAlias(store, address, targets);
    } catch (error) {
      if (error instanceof ValidationError && error.field === 'address') throw new ValidationError('localPart', error.message);
      throw error;
    }
    revalidatePath(`/domains/${domain.name}`);
    return `Created the alias ${address}.`;
  });
}
