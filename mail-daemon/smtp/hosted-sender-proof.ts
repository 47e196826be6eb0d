// Port 25 takes mail from anyone without a login, so a message that names one
// of our own domains as its envelope sender (MAIL FROM) or author (From:) is
// ours only if the domain's own DNS proves it: SPF passes for it (RFC 7208)
// or a DKIM signature of it verifies (RFC 6376; a forward keeps our
// signature even where SPF fails). Anything else is someone posing as our
// users to our users, and is refused. Bounces (MAIL FROM <>) carry the
// remote server's From:, and forwarders rewrite the envelope (SRS), so both
// still pass.
import type { MailStore } from '../store/context.ts';
import { Prisma } from '../../prisma/generated/sqlite/client.ts';
import { driverReaderFor } from '../store/driver-reads.ts';

/** What mailauth's authenticate() found, as far as this check needs it. */
export interface SenderAuthentication {
  spf?: { domain?: string; status?: { result?: string } } | false;
  dkim?: { headerFrom?: string[]; results?: { signingDomain?: string; status?: { result?: string } }[] };
}

const domainOf = (address: string) => address.slice(address.lastIndexOf('@') + 1).toLowerCase().replace(/\.$/, '');

function proven(domain: string, auth: SenderAuthentication): boolean {
  if (auth.spf && auth.spf.status?.result === 'pass' && auth.spf.domain?.toLowerCase() === domain) return true;
  // A signature of the domain or of a parent domain (whose owner holds this one's DNS too).
  return (auth.dkim?.results ?? []).some((r) => {
    const signer = (r.signingDomain ?? '').toLowerCase();
    return r.status?.result === 'pass' && signer !== '' && (domain === signer || domain.endsWith(`.${signer}`));
  });
}

/** Which of these domains are hosted here (verified), in one read. */
async function hostedAmong(store: MailStore, domains: string[]): Promise<Set<string>> {
  if (domains.length === 0) return new Set();
  const rows = await driverReaderFor(store.database).rows(Prisma.sql`SELECT "name" FROM "Domain" WHERE "name" IN (${Prisma.join(domains)}) AND "verified" = ${true}`);
  return new Set(rows.map((row) => String(row.name)));
}

export interface EarlySenderCheck {
  asked: string[];
  hosted: Promise<Set<string>>;
}

/**
 * Started before authentication, so that its read overlaps mailauth's work
 * (on PostgreSQL a read is a round trip, issue 12): whether the envelope
 * sender's domain, most often the From: one too, is hosted here.
 */
export function earlySenderCheck(store: MailStore, mailFrom: string): EarlySenderCheck {
  const asked = mailFrom.includes('@') ? [domainOf(mailFrom)] : [];
  const hosted = hostedAmong(store, asked);
  hosted.catch(() => undefined);
  return { asked, hosted };
}

/** The first hosted domain the message names as its sender without proof, or null. */
export async function unprovenHostedSender(store: MailStore, mailFrom: string, auth: SenderAuthentication, early: EarlySenderCheck): Promise<string | null> {
  const named = new Set([...(mailFrom ? [mailFrom] : []), ...(auth.dkim?.headerFrom ?? [])].filter((a) => a.includes('@')).map(domainOf));
  const candidates = [...named].filter((domain) => !proven(domain, auth));
  if (candidates.length === 0) return null;
  const rest = candidates.filter((domain) => !early.asked.includes(domain));
  const [known, more] = await Promise.all([early.hosted, hostedAmong(store, rest)]);
  return candidates.find((domain) => known.has(domain) || more.has(domain)) ?? null;
}
