'use server';
import { z } from 'zod';
import { revalidatePath } from 'next/cache';
import { removeAlias } from '@/mail-daemon/aliases/aliases.ts';
import { runAction, type ActionState } from '../_lib/action.ts';
import { address } from '../_lib/fields.ts';
import { AccessDenied, requireDomainAdmin } from '../_lib/session.ts';

export async function removeAliasAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction(z.object({ address }), formData, async (input) => {
    const normalized = input.address.toLowerCase();
    const at = normalized.lastIndexOf('@');
    if (at <= 0) throw new AccessDenied(404);
    const { store, domain } = await requireDomainAdmin(normalized.slice(at + 1));
    await removeAlias(store, normalized);
    revalidatePath(`/domains/${domain.name}`);
    return `Removed ${normalized}.`;
  });
}
