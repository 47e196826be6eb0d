// What a user sets for themselves: display name, signature, forwarding and
// the vacation auto-reply. A missing AccountSettings row means the defaults.
import { Prisma, type AccountSettings } from '../../prisma/generated/sqlite/client.ts';
import type { MailStore } from '../store/context.ts';
import { parseAddress } from '../accounts/addresses.ts';
import { ValidationError } from '../errors/validation-error.ts';
import { firstRow, asBoolean, asDate } from '../store/driver-reads.ts';
import type { Row } from '../store/sql-steps.ts';

export type SettingsView = Omit<AccountSettings, 'accountId' | 'updatedAt'>;

export const DEFAULT_SETTINGS: SettingsView = {
  signature: '',
  forwardTo: null,
  forwardKeepCopy: true,
  vacationEnabled: false,
  vacationSubject: '',
  vacationBody: '',
  vacationStart: null,
  vacationEnd: null,
  spamFilter: true,
};

export const MAX_SIGNATURE = 2000;
export const MAX_VACATION_BODY = 5000;

/** The columns settingsOf reads, of the table under `alias` (delivery-rules.ts reads them joined with the filters). */
export const settingsColumns = (alias: string) =>
  Prisma.raw(['signature', 'forwardTo', 'forwardKeepCopy', 'vacationEnabled', 'vacationSubject', 'vacationBody', 'vacationStart', 'vacationEnd', 'spamFilter'].map((c) => `${alias}."${c}"`).join(', '));

/** The settings from their row, or the defaults when the account has none. */
export function settingsOf(row: Row | undefined): SettingsView {
  if (!row) return { ...DEFAULT_SETTINGS };
  return {
    signature: String(row.signature),
    forwardTo: row.forwardTo === null ? null : String(row.forwardTo),
    forwardKeepCopy: asBoolean(row.forwardKeepCopy),
    vacationEnabled: asBoolean(row.vacationEnabled),
    vacationSubject: String(row.vacationSubject),
    vacationBody: String(row.vacationBody),
    vacationStart: asDate(row.vacationStart),
    vacationEnd: asDate(row.vacationEnd),
    spamFilter: asBoolean(row.spamFilter),
  };
}

export async function getSettings(store: MailStore, accountId: number): Promise<SettingsView> {
  // Read on every delivery (vacation): a prepared statement, not Prisma's runtime.
  return settingsOf(await firstRow(store.database, Prisma.sql`SELECT ${settingsColumns('s')} FROM "AccountSettings" s WHERE s."accountId" = ${accountId}`));
}

/** The learning junk filter (mail-daemon/spam/) on or off for the account. */
export async function setSpamFilter(store: MailStore, accountId: number, enabled: boolean): Promise<void> {
  await save(store, accountId, { spamFilter: enabled });
}

async function save(store: MailStore, accountId: number, data: Partial<SettingsView>): Promise<void> {
  await store.database.prisma.accountSettings.upsert({ where: { accountId }, create: { accountId, ...data }, update: data });
}

export async function updateProfile(store: MailStore, accountId: number, input: { displayName: string; signature: string }): Promise<void> {
  const displayName = input.displayName.trim();
  if (displayName.length > 200) throw new ValidationError('displayName', 'Use at most 200 characters.');
  if (/[\r\n<>"]/.test(displayName)) throw new ValidationError('displayName', 'A display name cannot contain line breaks, <, > or ".');
  if (input.signature.length > MAX_SIGNATURE) throw new ValidationError('signature', `Use at most ${MAX_SIGNATURE} characters.`);
  await store.database.prisma.account.update({ where: { id: accountId }, data: { displayName } });
  await save(store, accountId, { signature: input.signature.replace(/\r\n/g, '\n') });
}

/** Forwarding to one address (null turns it off); keepCopy leaves a copy in the Inbox. */
export async function setForwarding(store: MailStore, account: { id: number; address: string }, forwardTo: string | null, keepCopy: boolean): Promise<void> {
  let target: string | null = null;
  if (forwardTo !== null && forwardTo.trim() !== '') {
    target = parseAddress(forwardTo, 'forwardTo').address;
    if (target === account.address) throw new ValidationError('forwardTo', 'Mail cannot be forwarded to the same address.');
  }
  await save(store, account.id, { forwardTo: target, forwardKeepCopy: target === null ? true : keepCopy });
}

export interface VacationInput {
  enabled: boolean;
  subject: string;
  body: string;
  start: Date | null;
  end: Date | null;
}

export async function setVacation(store: MailStore, accountId: number, input: VacationInput): Promise<void> {
  const subject = input.subject.trim();
  if (input.enabled && !subject) throw new ValidationError('vacationSubject', 'Enter a subject for the auto-reply.');
  if (subject.length > 200) throw new ValidationError('vacationSubject', 'Use at most 200 characters.');
  if (/[\r\n]/.test(subject)) throw new ValidationError('vacationSubject', 'A subject is one line.');
  if (input.enabled && !input.body.trim()) throw new ValidationError('vacationBody', 'Enter the text of the auto-reply.');
  if (input.body.length > MAX_VACATION_BODY) throw new ValidationError('vacationBody', `Use at most ${MAX_VACATION_BODY} characters.`);
  if (input.start && input.end && input.end < input.start) throw new ValidationError('vacationEnd', 'The end is before the start.');
  await save(store, accountId, {
    vacationEnabled: input.enabled,
    vacationSubject: subject,
    vacationBody: input.body.replace(/\r\n/g, '\n'),
    vacationStart: input.start,
    vacationEnd: input.end,
  });
}
