// zod pieces the server actions share, with the messages the forms show.
import { z } from 'zod';

export function requiredText(what: string, max: number) {
  return z
    .string({ error: `Enter ${what}.` })
    .trim()
    .min(1, `Enter ${what}.`)
    .max(max, `Use at most ${max} characters.`);
}

export function optionalText(max: number) {
  return z.string().max(max, `Use at most ${max} characters.`).default('');
}

/** An HTML checkbox: "on" when ticked, absent otherwise. */
export const checkbox = z
  .string()
  .optional()
  .transform((value) => value === 'on' || value === 'true');

export const password = z.string({ error: 'Enter a password.' }).min(1, 'Enter a password.').max(1024, 'Use at most 1024 characters.');

export const address = requiredText('an address', 254);

export const domainName = requiredText('a domain name', 253);

/** The part of a new address before the @ (RFC 5321 4.5.3.1.1: at most 64 octets). */
export const localPart = requiredText('the name before the @', 64);

/** A new account's fields, as signup, the first-run setup and a domain admin's "New mailbox" ask them. */
export const newAccountFields = { domain: domainName, localPart, displayName: optionalText(200), password };

export const id = z.coerce.number({ error: 'Missing id.' }).int().positive('Missing id.');

/** A date from <input type="date">, or null when empty. */
export const optionalDate = z
  .string()
  .optional()
  .transform((value, context) => {
    if (!value) return null;
    const date = new Date(`${value}T00:00:00Z`);
    if (Number.isNaN(date.getTime())) {
      context.addIssue({ code: 'custom', message: 'Enter a date.' });
      return z.NEVER;
    }
    return date;
  });

export const quotaMb = z.coerce
  .number({ error: 'Enter the quota in MB.' })
  .int('Enter a whole number of MB.')
  .min(1, 'The quota is at least 1 MB.')
  .max(10_000_000, 'The quota is at most 10,000,000 MB.');
