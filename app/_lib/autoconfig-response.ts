// Thunderbird autoconfig, served at both addresses clients try
// (autoconfig.<domain>/mail/config-v1.1.xml and
// <domain>/.well-known/autoconfig/mail/config-v1.1.xml). Public, like the
// DNS records: it names only the server's host and ports.
import { loadConfig } from '@/mail-daemon/config.ts';
import { normalizeDomainName } from '@/mail-daemon/accounts/addresses.ts';
import { autoconfigXml } from '@/mail-daemon/settings/client-setup.ts';

export function autoconfigResponse(request: Request): Response {
  const url = new URL(request.url);
  const address = url.searchParams.get('emailaddress') ?? '';
  const host = (request.headers.get('host') ?? '').replace(/:\d+$/, '').replace(/^autoconfig\./, '');
  let domain: string;
  try {
    domain = normalizeDomainName(address.includes('@') ? address.slice(address.lastIndexOf('@') + 1) : host);
  } catch {
    domain = loadConfig().hostname;
  }
  return new Response(autoconfigXml(loadConfig(), domain), { headers: { 'content-type': 'application/xml; charset=utf-8', 'cache-control': 'no-store' } });
}
