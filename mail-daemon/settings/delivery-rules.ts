// What an account's own settings do to a message delivered to it, in one
// answer for SMTP delivery: its filters (folder, read), forwarding (where,
// and whether a copy stays here), whether it is on vacation. The vacation
// reply is asked separately, after the delivery succeeded (vacation.ts),
// since it sends mail.
import type { MailStore } from '../store/context.ts';
import { Prisma } from '../../prisma/generated/sqlite/client.ts';
import { driverReaderFor } from '../store/driver-reads.ts';
import type { Row } from '../store/sql-steps.ts';
import { settingsColumns, settingsOf } from './account-settings.ts';
import { applyFilters, filterColumns, filterOf, type FilteredMessage } from './filters.ts';

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

/** The account's settings and its filters in one read (on PostgreSQL each read is a round trip, issue 12): a row per filter, or one without. */
export function readDeliveryRules(store: MailStore, accountId: number): Promise<Row[]> {
  return driverReaderFor(store.database).rows(Prisma.sql`SELECT ${settingsColumns('s')}, s."accountId" AS "settingsOf", ${filterColumns('f')}
    FROM (SELECT CAST(${accountId} AS INTEGER) AS "accountId") a
    LEFT JOIN "AccountSettings" s ON s."accountId" = a."accountId"
    LEFT JOIN "MailFilter" f ON f."accountId" = a."accountId"
    ORDER BY f."position", f."id"`);
}

/** `read`: readDeliveryRules' rows when they were asked for earlier (deliver-mail.ts startDeliveryReads). */
export async function deliveryRulesFor(store: MailStore, accountId: number, message: FilteredMessage, read: Promise<Row[]> = readDeliveryRules(store, accountId)): Promise<DeliveryRules> {
  const rows = await read;
  const settings = settingsOf(rows[0].settingsOf === null ? undefined : rows[0]);
  const filters = rows.filter((row) => row.id !== null).map(filterOf);
  const outcome = applyFilters(filters, message);
  return {
    keepLocal: settings.forwardTo === null || settings.forwardKeepCopy,
    folder: outcome.folder,
    flags: outcome.seen ? ['\\Seen'] : [],
    forwardTo: settings.forwardTo,
    vacation: settings.vacationEnabled,
  };
}
