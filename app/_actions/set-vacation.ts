'use server';
import { z } from 'zod';
import { setVacation } from '@/mail-daemon/settings/account-settings.ts';
import { runAction, type ActionState } from '../_lib/action.ts';
import { checkbox, optionalDate, optionalText } from '../_lib/fields.ts';
import { requireSignedIn } from '../_lib/session.ts';

const schema = z.object({
  enabled: checkbox,
  vacationSubject: optionalText(200),
  vacationBody: optionalText(5000),
  vacationStart: optionalDate,
  vacationEnd: optionalDate,
});

export async function setVacationAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction(schema, formData, async (input) => {
    const { store, account } = await requireSignedIn();
    // An end date counts to the end of that day.
    const end = input.vacationEnd ? new Date(input.vacationEnd.getTime() + 24 * 3600_000 - 1) : null;
    await setVacation(store, account.id, { enabled: input.enabled, subject: input.vacationSubject, body: input.vacationBody, start: input.vacationStart, end });
    return input.enabled ? 'The auto-reply is on.' : 'The auto-reply is off.';
  });
}
