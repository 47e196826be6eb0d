'use server';
import { z } from 'zod';
import { setForwarding } from '@/mail-daemon/settings/account-settings.ts';
import { runAction, type ActionState } from '../_lib/action.ts';
import { checkbox, optionalText } from '../_lib/fields.ts';
import { requireSignedIn } from '../_lib/session.ts';

const schema = z.object({ forwardTo: optionalText(254), keepCopy: checkbox });

export async function setForwardingAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction(schema, formData, async (input) => {
    const { store, account } = await requireSignedIn();
    await setForwarding(store, account, input.forwardTo.trim() || null, input.keepCopy);
    return input.forwardTo.trim() ? `Mail is forwarded to ${input.forwardTo.trim()}.` : 'Forwarding is off.';
  });
}
