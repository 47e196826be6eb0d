// Client self-configuration, answered only for domains hosted here (and
// verified): Thunderbird autoconfig, served at both addresses clients try
// (autoconfig.<domain>/mail/config-v1.1.xml and
// <domain>/.well-known/autoconfig/mail/config-v1.1.xml), and Outlook's
// Autodiscover (POST autodiscover.<domain>/autodiscover/autodiscover.xml).
// Public, like the DNS records: they name only the server's host and ports.
import { loadConfig } from '@/mail-daemon/config/config.ts';
import { normalizeDomainName } from '@/mail-daemon/accounts/addresses.ts';
import { findDomain } from '@/mail-daemon/domains/domains.ts';
import { getMailStore } from '@/mail-daemon/store/context.ts';
import { autoconfigXml, autodiscoverRequestAddress, autodiscoverXml } from '@/mail-daemon/settings/client-setup.ts';

// An Autodiscover request is a few hundred bytes.
const MAX_AUTODISCOVER_REQUEST = 16 * 1024;

/** The hosted, verified domain of an address (or of a host name), or null. */
async function hostedDomain(addressOrHost: string): Promise<string | null> {
  let name: string;
  try {
    name = normalizeDomainName(addressOrHost.includes('@') ? addressOrHost.slice(addressOrHost.lastIndexOf('@') + 1) : addressOrHost);
  } catch {
    return null;
  }
  const domain = await findDomain(await getMailStore(), name);
  return domain?.verified ? domain.name : null;
}

function xml(body: string): Response {
  return new Response(body, { headers: { 'content-type': 'application/xml; charset=utf-8', 'cache-control': 'no-store' } });
}

const notHosted = () => new Response('No mail is hosted here for that domain.\n', { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' } });

export async function autoconfigResponse(request: Request): Promise<Response> {
  const url = new URL(request.url);
  const host = (request.headers.get('host') ?? '').replace(/:\d+$/, '').replace(/^autoconfig\./, '');
  const domain = await hostedDomain(url.searchParams.get('emailaddress') || host);
  return domain ? xml(autoconfigXml(loadConfig(), domain)) : notHosted();
}

export async function autodiscoverResponse(request: Request): Promise<Response> {
  const body = await request.text();
  const address = body.length <= MAX_AUTODISCOVER_REQUEST ? autodiscoverRequestAddress(body) : null;
  if (!address || !address.includes('@')) return new Response('Expected an Autodiscover request with an EMailAddress.\n', { status: 400 });
  return (await hostedDomain(address)) ? xml(autodiscoverXml(loadConfig(), address.toLowerCase())) : notHosted();
}
