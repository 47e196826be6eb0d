// The recipients of one message once resolved (aliases, catch-all): accounts
// here, and remote addresses with the hosted domain that forwards to them
// (null when one of our users addressed them directly), which is the domain
// an SRS sender is made in.
import type { MailStore } from '../store/context.ts';
import { resolveRecipient, type LocalRecipient, type Resolution } from '../aliases/resolve-recipient.ts';

export interface Recipients {
  local: Map<number, LocalRecipient>;
  remote: Map<string, string | null>;
}

export function noRecipients(): Recipients {
  return { local: new Map(), remote: new Map() };
}

export const domainOf = (address: string) => address.slice(address.lastIndexOf('@') + 1);

/** Adds what a hosted address resolved to; `address` is the one asked for. */
export function addResolved(recipients: Recipients, address: string, resolution: Extract<Resolution, { kind: 'ok' }>): void {
  for (const local of resolution.local) recipients.local.set(local.accountId, local);
  for (const remote of resolution.external) recipients.remote.set(remote, domainOf(address));
}

/** Resolves an address one of ours sends to: a domain not hosted here is remote, addressed directly. */
export async function addRecipient(store: MailStore, recipients: Recipients, address: string): Promise<Resolution['kind']> {
  const resolution = await resolveRecipient(store, address);
  if (resolution.kind === 'not-hosted') recipients.remote.set(address.toLowerCase(), null);
  else if (resolution.kind === 'ok') addResolved(recipients, address.toLowerCase(), resolution);
  return resolution.kind;
}
