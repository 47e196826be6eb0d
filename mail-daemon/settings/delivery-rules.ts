// What an account's own settings do to a message delivered to it, in one
// answer for SMTP delivery: its filters (folder, read), forwarding (where,
// and whether a copy stays here), whether it is on vacation. The vacation
// reply is asked separately, after the delivery succeeded (vacation.ts),
// since it sends mail.
import type { MailStore } from '../store/context.ts';
import { getSettings } from './account-settings.ts';
import { applyFilters, listFilters, type FilteredMessage } from './filters.ts';

export interface DeliveryRules {
  /** False when the message is only forwarded. */
  keepLocal: boolean;
  /** The mailbox name of a matching "move" filter, or null for the Inbox. */
  folder: string | null;
  /** IMAP flags to deliver with, e.g. ["\\Seen"]. */
  flags: string[];
  /** Where to forward a copy (through the outbound queue), or null. */
  forwardTo: string | null;
  /** The vacation reply is on (its dates and the sender are checked when it is asked for). */
  vacation: boolean;
}

export async function deliveryRulesFor(store: MailStore, accountId: number, message: FilteredMessage): Promise<DeliveryRules> {
  const [settings, filters] = await Promise.all([getSettings(store, accountId), listFilters(store, accountId)]);
  const outcome = applyFilters(filters, message);
  return {
    keepLocal: settings.forwardTo === null || settings.forwardKeepCopy,
    folder: outcome.folder,
    flags: outcome.seen ? ['\\Seen'] : [],
    forwardTo: settings.forwardTo,
    vacation: settings.vacationEnabled,
  };
}
