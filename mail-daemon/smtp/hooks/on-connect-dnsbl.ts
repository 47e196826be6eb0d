// Port 25 at connect: a client listed in one of DNSBL_ZONES gets 554 (RFC 5321
// 3.1: a server may refuse a connection with 554 in place of the greeting),
// naming the list and saying why, so a wrongly listed sender knows where to go.
import type { SMTPServerSession } from 'smtp-server';
import { dnsblListing } from '../../spam/dnsbl.ts';
import type { SmtpContext } from '../smtp-context.ts';
import { smtpError } from '../smtp-error.ts';

export function dnsblCheck(context: SmtpContext) {
  const zones = context.config.spam.dnsblZones;
  return async (session: SMTPServerSession): Promise<void> => {
    if (zones.length === 0) return;
    const ip = session.remoteAddress.replace(/^::ffff:/i, '');
    const listing = await dnsblListing(context.resolver, zones, ip);
    if (!listing) return;
    // Reply text: printable ASCII only, whatever the list's TXT holds.
    const reason = listing.reason.replace(/[^\x20-\x7e]/g, '?');
    context.log(`smtp: refused ${ip} at connect: listed in ${listing.zone} (${listing.code})`);
    throw smtpError(554, '5.7.1', `Service unavailable; client [${ip}] listed in ${listing.zone} (${listing.code})${reason ? `: ${reason}` : ''}`);
  };
}
