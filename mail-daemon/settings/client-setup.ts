// What a mail client needs to know (the settings page, Thunderbird
// autoconfig): host, ports and security, from the daemon's configuration.
// Implicit TLS first (RFC 8314 3), STARTTLS where only that port is open.
import type { Config } from '../config.ts';

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
