// The one delivery function every path calls once a message is accepted:
// port 25 (inbound.ts), submission on 587/465 and the web app's send
// (submission.ts), and so alias expansion and forwards. Each local
// recipient's own rules apply (filters, forwarding, vacation), whatever the
// path; a forward to an address we host is delivered here (with that
// account's rules), a forward to a remote address goes through the queue
// with an SRS envelope sender (srs.ts) when the original sender's domain is
// not ours, so SPF passes at the receiver. Local copies are stored in one
// transaction before the queue entry is written; the caller answers the
// client only after this returns.
import type { Config } from '../config/config.ts';
import type { MailStore } from '../store/context.ts';
import { deliverMessage, type DeliveredCopy, type DeliveryTarget } from '../store/deliver.ts';
import { prepareMessage, type PreparedMessage } from '../store/prepared-message.ts';
import { findMailbox } from '../store/mailboxes.ts';
import { enqueueMessage } from '../queue/enqueue.ts';
import { deliveryRulesFor, readDeliveryRules, type DeliveryRules } from '../settings/delivery-rules.ts';
import { vacationReplyFor } from '../settings/vacation.ts';
import { resolveRecipient, type LocalRecipient } from '../aliases/resolve-recipient.ts';
import { signWithDomainKey } from '../domains/dkim-sign.ts';
import { logDelivery, type DeliveryLogEntry } from './delivery-log.ts';
import { srsForward } from './srs.ts';
import { srsKeysOf } from './srs-keys.ts';
import { addRecipient, domainOf, noRecipients, type Recipients } from './recipients.ts';
import { newReceivedId } from './received-id.ts';
import { junkVerdict } from '../spam/junk-filter.ts';
import { preparerFor } from './message-preparation.ts';
import { accountFilterState, type AccountFilterState } from '../spam/account-model.ts';
import { prependHeaders } from '../smtp/message-headers.ts';
import { roomIn } from '../store/quota.ts';
import { notifySender } from '../queue/notify-sender.ts';
import { quotaReply } from './quota-reply.ts';
import { deliveriesEnded, deliveryStage } from '../metrics/metrics.ts';
import { Prisma } from '../../prisma/generated/sqlite/client.ts';
import { driverReaderFor, firstRow } from '../store/driver-reads.ts';
import type { Row } from '../store/sql-steps.ts';

/** What delivery needs besides the message (SmtpContext is one). */
export interface MailFlow {
  store: MailStore;
  config: Pick<Config, 'hostname' | 'dataDir' | 'srsSecrets' | 'spam'>;
  log: (message: string) => void;
}

export interface MailToDeliver {
  /** For the log: "inbound" (port 25), "submission" (ours, and the web app's), "vacation". */
  kind: string;
  /** The message as stored, trace fields included. */
  message: Buffer;
  /** Envelope sender; "" is <>. */
  mailFrom: string;
  /** The envelope recipients as given, for the log. */
  rcptTo: string[];
  recipients: Recipients;
  /** The id in the message's Received: field (or made for it), for the log and the queue. */
  receivedId: string;
  /** DMARC quarantine: local copies go to Junk and nobody auto-replies. */
  junk?: boolean;
  /** Mail from other servers: each account's junk filter (spam/) may send its copy to Junk. */
  filterJunk?: boolean;
  /** The account that submitted it (queue entries remember it). */
  accountId?: number;
  messageId?: string;
  /** The given recipients' reads, asked for before the message was checked (startDeliveryReads). */
  early?: EarlyReads;
}

/**
 * Each given recipient's rules and junk filter state, asked for as soon as
 * the message is in, so that their round trip (PostgreSQL) overlaps SPF, DKIM,
 * DMARC and parsing instead of following them: on one SMTP session it was
 * about a third of a millisecond of the wait for the 250 (issue 12). The
 * filter's known-sender check then covers the envelope sender only (the From
 * field is not parsed yet): planDelivery asks again when From differs.
 */
export interface EarlyReads {
  mailFrom: string;
  rules: Map<number, Promise<Row[]>>;
  filterState: Map<number, Promise<AccountFilterState>>;
}

export function startDeliveryReads(store: MailStore, recipients: Recipients, mailFrom: string): EarlyReads {
  const early: EarlyReads = { mailFrom: mailFrom.toLowerCase(), rules: new Map(), filterState: new Map() };
  for (const { accountId } of recipients.local.values()) {
    const rules = readDeliveryRules(store, accountId);
    const state = accountFilterState(store, accountId, [mailFrom]);
    // Unused when the message is refused first: their failure is then nobody's.
    rules.catch(() => undefined);
    state.catch(() => undefined);
    early.rules.set(accountId, rules);
    early.filterState.set(accountId, state);
  }
  return early;
}

/** The early filter state when it holds for these senders: the From address is the envelope's, or the envelope's already made the sender known. */
async function earlyFilterState(early: EarlyReads | undefined, accountId: number, fromAddress: string): Promise<AccountFilterState | undefined> {
  const read = early?.filterState.get(accountId);
  if (!read) return undefined;
  const state = await read;
  return !fromAddress || fromAddress.toLowerCase() === early!.mailFrom || state.knownSender || !state.enabled ? state : undefined;
}

export interface DeliveryOutcome {
  copies: DeliveredCopy[];
  queueIds: number[];
  /** Every account the message reached, through forwards too. */
  reached: LocalRecipient[];
}

function rulesFor(store: MailStore, recipient: LocalRecipient, { summary }: PreparedMessage, early?: EarlyReads): Promise<DeliveryRules> {
  return deliveryRulesFor(store, recipient.accountId, { from: summary.fromAddress, to: `${summary.toAddresses}, ${summary.ccAddresses}`, subject: summary.subject }, early?.rules.get(recipient.accountId));
}

/** Where one account's copy goes after its filters, and where it forwards to. */
async function routeFor(store: MailStore, recipient: LocalRecipient, rules: DeliveryRules, junk: boolean): Promise<{ target: DeliveryTarget | null; forwardTo: string | null; vacation: boolean }> {
  if (!rules.keepLocal) return { target: null, forwardTo: rules.forwardTo, vacation: rules.vacation };
  const target: DeliveryTarget = { accountId: recipient.accountId, flags: rules.flags };
  if (junk) target.specialUse = '\\Junk';
  else if (rules.folder) {
    // A filter naming a folder that was deleted since delivers to the Inbox.
    const folder = await findMailbox(store, recipient.accountId, rules.folder).catch(() => null);
    if (folder) target.mailboxId = folder.id;
  }
  return { target, forwardTo: rules.forwardTo, vacation: rules.vacation };
}

/**
 * Follows each account's rules: collects the local copies and the remote
 * forwards. A forward to one of our addresses adds that account (once: a
 * forwarding loop ends at an account already reached).
 */
async function planDelivery(flow: MailFlow, input: MailToDeliver, prepared: PreparedMessage, junkTokens?: string[]) {
  const { store } = flow;
  const targets: DeliveryTarget[] = [];
  // Accounts whose junk filter sent their copy to Junk, with the X-Junk-Filter field saying why.
  const junked = new Map<number, string>();
  const remote = new Map(input.recipients.remote);
  const reached = new Map<number, LocalRecipient>();
  // Those on vacation: only their replies are asked for (two reads a recipient less, issue 12).
  const onVacation: LocalRecipient[] = [];
  const pending = [...input.recipients.local.values()];
  for (let recipient = pending.shift(); recipient; recipient = pending.shift()) {
    if (reached.has(recipient.accountId)) continue;
    reached.set(recipient.accountId, recipient);
    // The junk filter's and the rules' reads at the same time (on PostgreSQL each is a round trip, issue 12).
    const [verdict, rules] = await Promise.all([
      input.filterJunk && !input.junk ? filterVerdict(flow, recipient, prepared, input.mailFrom, input.early, junkTokens) : null,
      rulesFor(store, recipient, prepared, input.early),
    ]);
    if (verdict) junked.set(recipient.accountId, verdict);
    const route = await routeFor(store, recipient, rules, !!input.junk || !!verdict);
    if (route.vacation) onVacation.push(recipient);
    if (route.target) targets.push(route.target);
    if (!route.forwardTo) continue;
    const resolution = await resolveRecipient(store, route.forwardTo);
    if (resolution.kind === 'not-hosted') remote.set(route.forwardTo, domainOf(recipient.address));
    else if (resolution.kind === 'ok') {
      pending.push(...resolution.local);
      for (const address of resolution.external) remote.set(address, domainOf(recipient.address));
    } else if (!route.target) {
      // The forwarding address went away since it was set: keep the mail here.
      targets.push({ accountId: recipient.accountId });
    }
  }
  // Forwards that lead only back to accounts already reached: nothing may be lost.
  if (targets.length === 0 && remote.size === 0) targets.push(...[...input.recipients.local.values()].map((r) => ({ accountId: r.accountId })));
  return { targets, remote, reached: [...reached.values()], onVacation, junked };
}

/** The X-Junk-Filter field when the account's junk filter says spam; a filter failure never loses mail, it goes to the Inbox. */
async function filterVerdict(flow: MailFlow, recipient: LocalRecipient, prepared: PreparedMessage, mailFrom: string, early?: EarlyReads, junkTokens?: string[]): Promise<string | null> {
  try {
    const state = await earlyFilterState(early, recipient.accountId, prepared.summary.fromAddress);
    return (await junkVerdict(flow.store, recipient.accountId, prepared.content, [prepared.summary.fromAddress, mailFrom], state, junkTokens)).header;
  } catch (error) {
    flow.log(`delivery: junk filter of account ${recipient.accountId} failed: ${error}`);
    return null;
  }
}

/**
 * Stores the copies: those with the same header (none, or one account's junk
 * verdict) share one content. A copy sent to Junk by the filter carries its
 * own field, so it is a content of its own, stored in its own transaction.
 */
async function storeCopies(store: MailStore, input: MailToDeliver, prepared: PreparedMessage, targets: DeliveryTarget[], junked: Map<number, string>, log?: DeliveryLogEntry): Promise<DeliveredCopy[]> {
  const byHeader = new Map<string, DeliveryTarget[]>();
  for (const target of targets) {
    const header = junked.get(target.accountId) ?? '';
    byHeader.set(header, [...(byHeader.get(header) ?? []), target]);
  }
  const groups = [...byHeader];
  const copies: DeliveredCopy[] = [];
  for (const [i, [header, group]] of groups.entries()) {
    // The log line, when given, is written in the last commit.
    const options = i === groups.length - 1 ? { log } : {};
    copies.push(...(await deliverMessage(store, header ? await prepareMessage(prependHeaders(input.message, [header])) : prepared, group, options)));
  }
  if (groups.length === 0 && log) await logDelivery(store, log);
  return copies;
}

/** The envelope sender of each remote copy: rewritten with SRS when the sender's domain is not ours. */
async function remoteSenders(flow: MailFlow, mailFrom: string, remote: Map<string, string | null>): Promise<Map<string, string[]>> {
  const bySender = new Map<string, string[]>();
  const foreign = remote.size > 0 && mailFrom !== '' && !(await flow.store.database.prisma.domain.findUnique({ where: { name: domainOf(mailFrom) }, select: { id: true } }));
  for (const [address, via] of remote) {
    const sender = foreign && via ? srsForward(srsKeysOf(flow.config), mailFrom, via) : mailFrom;
    bySender.set(sender, [...(bySender.get(sender) ?? []), address]);
  }
  return bySender;
}

/** RFC 3834 auto-replies of the accounts reached that are on vacation, from <>, signed like any mail of theirs. */
async function sendVacationReplies(flow: MailFlow, reached: LocalRecipient[], input: MailToDeliver): Promise<void> {
  for (const recipient of reached) {
    const row = await firstRow(flow.store.database, Prisma.sql`SELECT "address", "displayName" FROM "Account" WHERE "id" = ${recipient.accountId}`);
    if (!row) continue;
    const account = { id: recipient.accountId, address: String(row.address), displayName: String(row.displayName) };
    const reply = await vacationReplyFor(flow.store, account, { mailFrom: input.mailFrom, raw: input.message, ownAddresses: [account.address, recipient.address] });
    if (!reply) continue;
    const recipients = noRecipients();
    const kind = await addRecipient(flow.store, recipients, reply.rcptTo);
    if (kind !== 'ok' && kind !== 'not-hosted') continue;
    await deliverMail(flow, {
      kind: 'vacation',
      message: await signWithDomainKey(flow.store, reply.raw, account.address),
      mailFrom: reply.mailFrom,
      rcptTo: [reply.rcptTo],
      recipients,
      receivedId: newReceivedId(),
      accountId: account.id,
    });
  }
}

/** The quota of these accounts (one read for all). */
async function accountQuotas(flow: MailFlow, ids: number[]): Promise<Row[]> {
  if (ids.length === 0) return [];
  return driverReaderFor(flow.store.database).rows(Prisma.sql`SELECT "id", "address", "usedBytes", "quotaBytes" FROM "Account" WHERE "id" IN (${Prisma.join(ids)})`);
}

/**
 * The hard quota, checked once the message is in (RCPT only knew a SIZE=, if
 * any): copies that do not fit are left out. When no copy is left to make, the
 * client gets the refusal (452 4.2.2, or 552 5.2.2 when no retry can help);
 * otherwise the others are delivered and the sender gets a bounce for these.
 * The usage is as RCPT read it, or read while the delivery is planned
 * (`early`); two deliveries at once may each still fit where both together
 * pass the quota by one message.
 */
async function applyQuota(flow: MailFlow, input: MailToDeliver, prepared: PreparedMessage, plan: Awaited<ReturnType<typeof planDelivery>>, early: Row[]): Promise<DeliveryTarget[]> {
  const ids = [...new Set(plan.targets.map((t) => t.accountId))];
  if (ids.length === 0) return plan.targets;
  const known = early.filter((row) => ids.includes(Number(row.id)));
  const missing = ids.filter((id) => !known.some((row) => Number(row.id) === id));
  const rows = [...known, ...(await accountQuotas(flow, missing))];
  const refused = rows.flatMap((row) => {
    const address = String(row.address);
    const reply = quotaReply(roomIn({ usedBytes: Number(row.usedBytes), quotaBytes: Number(row.quotaBytes) }, prepared.content.size), address);
    return reply ? [{ accountId: Number(row.id), address, reply }] : [];
  });
  if (refused.length === 0) return plan.targets;
  const fitting = plan.targets.filter((t) => !refused.some((r) => r.accountId === t.accountId));
  if (fitting.length === 0 && plan.remote.size === 0) throw refused.find((r) => r.reply.responseCode === 452)?.reply ?? refused[0].reply;
  const now = new Date();
  await notifySender(flow.store, {
    kind: 'bounce',
    hostname: flow.config.hostname,
    sender: input.mailFrom,
    original: input.message,
    arrivalDate: now,
    queueId: null,
    recipients: refused.map((r) => ({
      address: r.address,
      action: 'failed' as const,
      // Taken for the others, so final for this one: mailbox full (RFC 3463).
      status: '5.2.2',
      detail: r.reply.message.replace(/^\d\.\d\.\d+ /, ''),
      reply: null,
      remoteMta: null,
      lastAttemptAt: now,
    })),
  });
  return fitting;
}

export async function deliverMail(flow: MailFlow, input: MailToDeliver): Promise<DeliveryOutcome> {
  const started = Date.now();
  // The quota of the recipients as given: as RCPT read it with the account, else read while the message is parsed and the delivery planned (those a forward adds are read after).
  const given = [...input.recipients.local.values()];
  const checked = given.flatMap((r) => (r.usage ? [{ id: r.accountId, address: r.address, ...r.usage }] : []));
  const early = accountQuotas(flow, [...new Set(given.filter((r) => !r.usage).map((r) => r.accountId))]).then((rows) => [...checked, ...rows]);
  early.catch(() => undefined);
  // The junk filter's tokens too, when a filter may need them (on the preparation thread, with the parsing).
  const { prepared, junkTokens } = await deliveryStage('preparation', () => preparerFor(flow.store).prepare(input.message, !!input.filterJunk && !input.junk));
  const { plan, targets } = await deliveryStage('filters', async () => {
    const plan = await planDelivery(flow, input, prepared, junkTokens);
    return { plan, targets: await applyQuota(flow, input, prepared, plan, await early) };
  });
  const { remote, reached, onVacation, junked } = plan;
  const forwarded = [...remote.values()].filter((via) => via !== null).length;
  const logLine = (copies: number, queueIds: number[]): DeliveryLogEntry => ({
    kind: input.kind,
    mailFrom: input.mailFrom,
    rcptTo: input.rcptTo.join(', '),
    status: queueIds.length > 0 ? 'queued' : 'delivered',
    detail: `${copies} local${input.junk ? ' (to Junk: DMARC quarantine)' : ''}${junked.size ? ` (${junked.size} to Junk: junk filter)` : ''}, ${remote.size} remote${forwarded ? ` (${forwarded} forwarded)` : ''}${queueIds.length ? ` as queue entry ${queueIds.join(', ')}` : ''}`,
    messageId: input.messageId ?? prepared.summary.messageId,
    queueId: queueIds[0] ?? null,
    receivedId: input.receivedId,
  });
  const queueIds: number[] = [];
  const copies = await deliveryStage('commit', async () => {
    // Without remote copies (the usual case), the log line goes in the delivery's own commit: one fsync, not two.
    const stored = await storeCopies(flow.store, input, prepared, targets, junked, remote.size === 0 ? logLine(targets.length, queueIds) : undefined);
    deliveriesEnded('delivered', stored.length, { route: 'local', since: started });
    for (const [mailFrom, addresses] of await remoteSenders(flow, input.mailFrom, remote)) {
      queueIds.push(await enqueueMessage(flow.store, { message: prepared.content, mailFrom, recipients: addresses, accountId: input.accountId, receivedId: input.receivedId }));
    }
    return stored;
  });
  if (!input.junk) await sendVacationReplies(flow, onVacation.filter((r) => !junked.has(r.accountId)), input).catch((error) => flow.log(`delivery: vacation reply to ${input.receivedId} failed: ${error}`));
  if (remote.size > 0) await logDelivery(flow.store, logLine(copies.length, queueIds));
  return { copies, queueIds, reached };
}
