// The mailctl commands: parsing of their arguments and their output.
import type { Config } from '../config/config.ts';
import type { MailStore } from '../store/context.ts';
import { addDomain, findDomain, listDomains, removeDomain, requireDomain } from '../domains/domains.ts';
import { grantDomainAdmin, listDomainAdmins, revokeDomainAdmin } from '../domains/domain-admins.ts';
import { dnsRecordsFor, formatZone } from '../domains/dns-records.ts';
import { createAccount, listAccounts, removeAccount, requireAccount, setAccountQuota, setPassword } from '../accounts/accounts.ts';
import { liftSendLimit, sendLimitsOf, setSendLimits } from '../spam/send-limits.ts';
import { setSpamFilter } from '../settings/account-settings.ts';
import { addAlias, listAliases, removeAlias } from '../aliases/aliases.ts';
import { deleteQueueEntry, listQueue, retryQueueEntry } from '../queue/queue-admin.ts';
import { listMailboxes } from '../store/mailboxes.ts';
import { formatMegabytes, parseByteSize } from '../config/byte-size.ts';
import { readNewPassword } from './password-input.ts';
import { parseArgs, UsageError } from './arguments.ts';
import { importCommand, IMPORT_USAGE } from './import-command.ts';
import { exportCommand, EXPORT_USAGE } from './export-command.ts';

export const USAGE = `Usage: npm run mailctl -- <command>

  domain add <domain> [--signup-open]   host a domain (added by the admin: no DNS proof needed)
  domain list                           hosted domains with their accounts and aliases
  domain remove <domain>                stop hosting a domain that has no accounts or aliases
  domain admins <domain>                the accounts that administer a domain
  domain admin add <domain> <address>   let an existing account administer a domain
  domain admin remove <domain> <address>  take it away again (never from the last one)
  user add <address> [--admin] [--name <display name>] [--quota <size, e.g. 500M or 5G>] [--password-stdin]
  user passwd <address> [--password-stdin]
  user quota <address> <size>           e.g. 500M or 5G (a bare number is MB)
                                        the password is typed at a prompt, or read from stdin
  user list [domain]
  user remove <address>                 delete an account and all its mail
  user limits <address> [--messages-per-hour <n|default>] [--recipients-per-day <n|default>]
                                        show or set what the account may send
  user lift-limit <address>             let an account that hit a sending limit send again
  user spam-filter <address> on|off     the account's learning junk filter
  alias add <address> <target>...       deliver <address> to one or more local or external targets
  alias list [domain]
  alias remove <address>
  dns <domain>                          the DNS records to publish for a domain
  queue list                            the outbound queue
  queue retry <id>                      try an entry again now
  queue delete <id>                     drop an entry without a bounce
  backup <file> [--force]               a consistent copy of the database while mail flows (SQLite; pg_dump on PostgreSQL)
  restore <file> [--force]              replace the database with a backup; the daemon and web app must be stopped
${IMPORT_USAGE}${EXPORT_USAGE}`;

export { UsageError };

function expect(positional: string[], count: number, what: string): void {
  if (positional.length !== count) throw new UsageError(`expected ${what}`);
}

function table(rows: string[][]): string {
  if (rows.length === 0) return '';
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ')).join('\n');
}


async function domainAdminCommand(store: MailStore, [verb, ...args]: string[]): Promise<string> {
  if (verb === 'add') {
    expect(args, 2, 'domain admin add <domain> <address>');
    await grantDomainAdmin(store, args[0], args[1]);
    return `${args[1].toLowerCase()} now administers ${args[0].toLowerCase()}`;
  }
  if (verb === 'remove') {
    expect(args, 2, 'domain admin remove <domain> <address>');
    await revokeDomainAdmin(store, args[0], args[1]);
    return `${args[1].toLowerCase()} no longer administers ${args[0].toLowerCase()}`;
  }
  throw new UsageError('expected domain admin add|remove <domain> <address>');
}

/** Asks for the new password of `user add` and `user passwd` (password-input.ts). */
export type PasswordSource = (fromStdin: boolean) => Promise<string>;

export async function runCommand(store: MailStore, config: Config, argv: string[], readPassword: PasswordSource = readNewPassword): Promise<string> {
  const [group, action, ...rest] = argv;
  // They parse their own options.
  if (group === 'import') return importCommand(store, config, argv.slice(1));
  if (group === 'export') return exportCommand(store, argv.slice(1));
  const parsed = parseArgs(rest);
  const args = parsed.positional;
  switch (`${group} ${action ?? ''}`.trim()) {
    case 'domain add': {
      expect(args, 1, 'domain add <domain>');
      // The operator is a platform admin: an unverified claim on the name gives way.
      const claim = await findDomain(store, args[0]);
      const domain = await addDomain(store, args[0], { verified: true, signupOpen: parsed.options.has('--signup-open') });
      const tookOver = claim && !claim.verified ? `took ${domain.name} over from an unverified claim (its accounts and aliases are gone)\n` : '';
      return `${tookOver}added domain ${domain.name}\npublish its DNS records (npm run mailctl -- dns ${domain.name}):\n\n${formatZone(dnsRecordsFor(domain, config))}`;
    }
    case 'domain list': {
      expect(args, 0, 'domain list');
      const domains = await listDomains(store);
      if (domains.length === 0) return 'no domains yet: npm run mailctl -- domain add <domain>';
      return table([
        ['DOMAIN', 'VERIFIED', 'SIGNUP', 'ACCOUNTS', 'ALIASES'],
        ...domains.map((d) => [d.name, d.verified ? 'yes' : 'no', d.signupOpen ? 'open' : 'closed', String(d.accountCount), String(d.aliasCount)]),
      ]);
    }
    case 'domain remove':
      expect(args, 1, 'domain remove <domain>');
      await removeDomain(store, args[0]);
      return `removed domain ${args[0].toLowerCase()}`;
    case 'domain admins': {
      expect(args, 1, 'domain admins <domain>');
      const admins = await listDomainAdmins(store, args[0]);
      return admins.length === 0 ? `${args[0].toLowerCase()} has no domain admins (platform admins manage it)` : admins.join('\n');
    }
    case 'domain admin':
      return domainAdminCommand(store, args);
    case 'user add': {
      expect(args, 1, 'user add <address>');
      const quota = parsed.options.get('--quota');
      const quotaBytes = typeof quota === 'string' ? parseByteSize(quota) : undefined;
      if (quotaBytes === null) throw new UsageError(`--quota must be a size such as 500M, 5G or 2048 (MB), got "${quota}"`);
      const account = await createAccount(store, {
        address: args[0],
        password: await readPassword(parsed.options.has('--password-stdin')),
        displayName: typeof parsed.options.get('--name') === 'string' ? (parsed.options.get('--name') as string) : '',
        role: parsed.options.has('--admin') ? 'admin' : 'user',
        quotaBytes,
      });
      const folders = (await listMailboxes(store, account.id)).map((m) => m.name).join(', ');
      return `added ${account.role === 'admin' ? 'platform admin' : 'user'} ${account.address} with folders ${folders}`;
    }
    case 'user passwd':
      expect(args, 1, 'user passwd <address>');
      await setPassword(store, args[0], await readPassword(parsed.options.has('--password-stdin')));
      return `changed the password of ${args[0].toLowerCase()}`;
    case 'user quota': {
      expect(args, 2, 'user quota <address> <size>');
      const quotaBytes = parseByteSize(args[1]);
      if (quotaBytes === null) throw new UsageError(`the quota must be a size such as 500M, 5G or 2048 (MB), got "${args[1]}"`);
      const account = await setAccountQuota(store, args[0], quotaBytes);
      return `quota of ${account.address}: ${formatMegabytes(account.quotaBytes)}`;
    }
    case 'user list': {
      if (args.length > 1) throw new UsageError('expected user list [domain]');
      if (args[0]) await requireDomain(store, args[0]);
      const accounts = await listAccounts(store, args[0]);
      if (accounts.length === 0) return 'no accounts';
      return table([
        ['ADDRESS', 'ROLE', 'USED', 'QUOTA', 'STATE'],
        ...accounts.map((a) => [a.address, a.role, formatMegabytes(a.usedBytes), formatMegabytes(a.quotaBytes), a.disabled ? 'disabled' : 'active']),
      ]);
    }
    case 'user remove':
      expect(args, 1, 'user remove <address>');
      await removeAccount(store, args[0]);
      return `removed ${args[0].toLowerCase()} and all its mail`;
    case 'user limits': {
      expect(args, 1, 'user limits <address> [--messages-per-hour <n|default>] [--recipients-per-day <n|default>]');
      const account = await requireAccount(store, args[0]);
      const given = (name: string) => {
        const value = parsed.options.get(name);
        if (value === undefined) return undefined;
        if (value === 'default') return null;
        if (typeof value !== 'string' || !/^\d+$/.test(value)) throw new UsageError(`${name} takes a whole number or "default"`);
        return Number(value);
      };
      if (parsed.options.has('--messages-per-hour') || parsed.options.has('--recipients-per-day')) {
        await setSendLimits(store, account.id, { messagesPerHour: given('--messages-per-hour'), recipientsPerDay: given('--recipients-per-day') });
      }
      const limits = await sendLimitsOf(store, config.spam.sendLimits, account.id);
      return `${account.address} may send ${limits.messagesPerHour} messages per hour and ${limits.recipientsPerDay} recipients per day`;
    }
    case 'user lift-limit': {
      expect(args, 1, 'user lift-limit <address>');
      const account = await requireAccount(store, args[0]);
      await liftSendLimit(store, account.id);
      return `${account.address} may send again; earlier mail no longer counts against its limits`;
    }
    case 'user spam-filter': {
      if (args.length !== 2 || !['on', 'off'].includes(args[1])) throw new UsageError('expected user spam-filter <address> on|off');
      const account = await requireAccount(store, args[0]);
      await setSpamFilter(store, account.id, args[1] === 'on');
      return `the junk filter of ${account.address} is ${args[1]}`;
    }
    case 'alias add': {
      if (args.length < 2) throw new UsageError('expected alias add <address> <target>...');
      const alias = await addAlias(store, args[0], args.slice(1));
      return `added alias ${alias.address} -> ${alias.targets.join(', ')}`;
    }
    case 'alias list': {
      if (args.length > 1) throw new UsageError('expected alias list [domain]');
      const aliases = await listAliases(store, args[0]);
      if (aliases.length === 0) return 'no aliases';
      return table([['ALIAS', 'TARGETS'], ...aliases.map((a) => [a.address, a.targets.join(', ')])]);
    }
    case 'alias remove':
      expect(args, 1, 'alias remove <address>');
      await removeAlias(store, args[0]);
      return `removed alias ${args[0].toLowerCase()}`;
    case 'queue list': {
      expect(args, 0, 'queue list');
      const entries = await listQueue(store);
      if (entries.length === 0) return 'the queue is empty';
      return table([
        ['ID', 'FROM', 'RECIPIENTS', 'ATTEMPTS', 'NEXT ATTEMPT', 'LAST ERROR'],
        ...entries.map((e) => [
          String(e.id),
          e.mailFrom || '<>',
          e.recipients.map((r) => `${r.address} (${r.status})`).join(', '),
          String(e.attempts),
          e.nextAttemptAt.toISOString(),
          e.lastError ?? '',
        ]),
      ]);
    }
    case 'queue retry':
      expect(args, 1, 'queue retry <id>');
      await retryQueueEntry(store, args[0]);
      return `queue entry ${args[0]} will be tried now`;
    case 'queue delete':
      expect(args, 1, 'queue delete <id>');
      await deleteQueueEntry(store, args[0]);
      return `deleted queue entry ${args[0]}`;
    default:
      if (group === 'dns' && action !== undefined) {
        expect([action, ...args], 1, 'dns <domain>');
        const domain = await requireDomain(store, action);
        return formatZone(dnsRecordsFor(domain, config));
      }
      throw new UsageError(`unknown command "${argv.join(' ')}"`);
  }
}
