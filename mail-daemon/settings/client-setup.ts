// What a mail client needs to know (the settings page, Thunderbird
// autoconfig, Outlook's Autodiscover, Apple's configuration profile): host,
// ports and security, from the daemon's configuration.
// Implicit TLS first (RFC 8314 3), STARTTLS where only that port is open.
import type { Config } from '../config/config.ts';

export interface ClientServer {
  protocol: 'IMAP' | 'POP3' | 'SMTP';
  host: string;
  port: number;
  security: 'TLS' | 'STARTTLS';
}

export function clientServers(config: Pick<Config, 'hostname' | 'ports'>): ClientServer[] {
  const host = config.hostname;
  const servers: ClientServer[] = [];
  const add = (protocol: ClientServer['protocol'], tls: number | null, starttls: number | null) => {
    if (tls) servers.push({ protocol, host, port: tls, security: 'TLS' });
    if (starttls) servers.push({ protocol, host, port: starttls, security: 'STARTTLS' });
  };
  add('IMAP', config.ports.imaps, config.ports.imap);
  add('POP3', config.ports.pop3s, config.ports.pop3);
  add('SMTP', config.ports.submissions, config.ports.submission);
  return servers;
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** Thunderbird's autoconfig format (config-v1.1.xml). */
export function autoconfigXml(config: Pick<Config, 'hostname' | 'ports'>, domain: string): string {
  const kind = { IMAP: 'incomingServer type="imap"', POP3: 'incomingServer type="pop3"', SMTP: 'outgoingServer type="smtp"' } as const;
  const servers = clientServers(config)
    .map((s) => {
      const tag = kind[s.protocol];
      const close = s.protocol === 'SMTP' ? 'outgoingServer' : 'incomingServer';
      return [
        `    <${tag}>`,
        `      <hostname>${escapeXml(s.host)}</hostname>`,
        `      <port>${s.port}</port>`,
        `      <socketType>${s.security === 'TLS' ? 'SSL' : 'STARTTLS'}</socketType>`,
        '      <username>%EMAILADDRESS%</username>',
        '      <authentication>password-cleartext</authentication>',
        `    </${close}>`,
      ].join('\n');
    })
    .join('\n');
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<clientConfig version="1.1">',
    `  <emailProvider id="${escapeXml(domain)}">`,
    `    <domain>${escapeXml(domain)}</domain>`,
    `    <displayName>Mail at ${escapeXml(domain)}</displayName>`,
    `    <displayShortName>${escapeXml(domain)}</displayShortName>`,
    servers,
    '  </emailProvider>',
    '</clientConfig>',
    '',
  ].join('\n');
}

/** The server a client should use for a protocol: implicit TLS first (RFC 8314 3). */
function preferred(config: Pick<Config, 'hostname' | 'ports'>, protocol: ClientServer['protocol']): ClientServer | undefined {
  return clientServers(config).find((s) => s.protocol === protocol);
}

/**
 * Microsoft Autodiscover, the "POX" form Outlook asks for
 * ([MS-OXDSCLI] 2.2.4): the IMAP (else POP3) and SMTP servers of an address,
 * logging in with the full address.
 */
export function autodiscoverXml(config: Pick<Config, 'hostname' | 'ports'>, address: string): string {
  const incoming = preferred(config, 'IMAP') ?? preferred(config, 'POP3');
  const protocols = [incoming, preferred(config, 'SMTP')]
    .filter((s): s is ClientServer => s !== undefined)
    .map((s) =>
      [
        '      <Protocol>',
        `        <Type>${s.protocol === 'POP3' ? 'POP3' : s.protocol}</Type>`,
        `        <Server>${escapeXml(s.host)}</Server>`,
        `        <Port>${s.port}</Port>`,
        `        <LoginName>${escapeXml(address)}</LoginName>`,
        '        <DomainRequired>off</DomainRequired>',
        '        <SPA>off</SPA>',
        // Implicit TLS is SSL=on; STARTTLS is Encryption=TLS.
        s.security === 'TLS' ? '        <SSL>on</SSL>' : '        <Encryption>TLS</Encryption>',
        '        <AuthRequired>on</AuthRequired>',
        '      </Protocol>',
      ].join('\n'),
    );
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006">',
    '  <Response xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a">',
    '    <Account>',
    '      <AccountType>email</AccountType>',
    '      <Action>settings</Action>',
    ...protocols,
    '    </Account>',
    '  </Response>',
    '</Autodiscover>',
    '',
  ].join('\n');
}

/** The address an Autodiscover request asks about, or null. */
export function autodiscoverRequestAddress(body: string): string | null {
  const match = /<EMailAddress>\s*([^<\s]+)\s*<\/EMailAddress>/i.exec(body);
  return match ? match[1] : null;
}

/**
 * An Apple configuration profile (.mobileconfig) that adds the account to
 * Mail on iPhone, iPad and macOS: one com.apple.mail.managed payload with
 * the IMAP (else POP3) and SMTP servers; the device asks for the password.
 */
export function appleMobileconfig(config: Pick<Config, 'hostname' | 'ports'>, account: { address: string; displayName: string }, uuid: () => string): string {
  const incoming = preferred(config, 'IMAP') ?? preferred(config, 'POP3');
  const outgoing = preferred(config, 'SMTP');
  const reverseHost = config.hostname.split('.').reverse().join('.');
  const string = (key: string, value: string) => `<key>${key}</key><string>${escapeXml(value)}</string>`;
  const integer = (key: string, value: number) => `<key>${key}</key><integer>${value}</integer>`;
  const bool = (key: string, value: boolean) => `<key>${key}</key>${value ? '<true/>' : '<false/>'}`;
  const mail = [
    string('EmailAccountDescription', account.address),
    string('EmailAccountName', account.displayName || account.address),
    string('EmailAccountType', incoming?.protocol === 'POP3' ? 'EmailTypePOP' : 'EmailTypeIMAP'),
    string('EmailAddress', account.address),
    ...(incoming
      ? [
          string('IncomingMailServerAuthentication', 'EmailAuthPassword'),
          string('IncomingMailServerHostName', incoming.host),
          integer('IncomingMailServerPortNumber', incoming.port),
          bool('IncomingMailServerUseSSL', true),
          string('IncomingMailServerUsername', account.address),
        ]
      : []),
    ...(outgoing
      ? [
          string('OutgoingMailServerAuthentication', 'EmailAuthPassword'),
          string('OutgoingMailServerHostName', outgoing.host),
          integer('OutgoingMailServerPortNumber', outgoing.port),
          bool('OutgoingMailServerUseSSL', true),
          string('OutgoingMailServerUsername', account.address),
          bool('OutgoingPasswordSameAsIncomingPassword', true),
        ]
      : []),
    string('PayloadDisplayName', `Mail for ${account.address}`),
    string('PayloadIdentifier', `${reverseHost}.mail.${account.address}`),
    string('PayloadType', 'com.apple.mail.managed'),
    string('PayloadUUID', uuid()),
    integer('PayloadVersion', 1),
  ];
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">',
    '<plist version="1.0">',
    '<dict>',
    '<key>PayloadContent</key>',
    '<array>',
    `<dict>${mail.join('')}</dict>`,
    '</array>',
    string('PayloadDisplayName', `Mail at ${account.address.slice(account.address.lastIndexOf('@') + 1)}`),
    string('PayloadIdentifier', `${reverseHost}.profile.${account.address}`),
    bool('PayloadRemovalDisallowed', false),
    string('PayloadType', 'Configuration'),
    string('PayloadUUID', uuid()),
    integer('PayloadVersion', 1),
    '</dict>',
    '</plist>',
    '',
  ].join('\n');
}
