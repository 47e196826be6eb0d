// What the web security tests ask of the web app over plain requests.
import assert from 'node:assert/strict';

// Signs in over plain HTTP requests the way next-auth's client does: the
// CSRF token and its cookie, then the credentials callback. Returns the
// Set-Cookie lines of that answer (where the session cookie is) and a
// Cookie header with every cookie so far.
export interface HttpSignIn {
  setCookies: string[];
  cookie: string;
}

const cookiePairs = (setCookies: string[]) => setCookies.map((line) => line.split(';')[0]);

export async function signInOverHttp(base: string, address: string, password: string, headers: Record<string, string> = {}): Promise<HttpSignIn> {
  const csrf = await fetch(`${base}/api/auth/csrf`, { headers });
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const csrfCookies = cookiePairs(csrf.headers.getSetCookie());
  const answer = await fetch(`${base}/api/auth/callback/credentials`, {
    method: 'POST',
    redirect: 'manual',
    headers: { ...headers, 'Content-Type': 'application/x-www-form-urlencoded', Cookie: csrfCookies.join('; ') },
    body: new URLSearchParams({ csrfToken, address, password, json: 'true' }),
  });
  const setCookies = answer.headers.getSetCookie();
  if (!setCookies.some((line) => /next-auth\.session-token=/.test(line))) throw new Error(`sign-in of ${address} failed: ${answer.status} ${await answer.text()}`);
  return { setCookies, cookie: [...csrfCookies, ...cookiePairs(setCookies)].join('; ') };
}

/** The nonce of a policy that meets the issue, or a failed assertion naming what is missing. */
export function assertPolicy(response: Response, what: string): string {
  const policy = response.headers.get('content-security-policy') ?? '';
  const directives = new Map(policy.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name, values]));
  const nonce = /^'nonce-([A-Za-z0-9+/=]{16,})'$/.exec(directives.get('script-src')?.find((v) => v.startsWith("'nonce-")) ?? '')?.[1];
  assert.deepEqual(directives.get('script-src')?.filter((v) => !v.startsWith("'nonce-")), ["'self'"], `${what}: script-src in "${policy}"`);
  assert.ok(nonce, `${what}: a nonce in "${policy}"`);
  assert.deepEqual(directives.get('object-src'), ["'none'"], what);
  assert.deepEqual(directives.get('base-uri'), ["'self'"], what);
  assert.deepEqual(directives.get('frame-ancestors'), ["'none'"], what);
  assert.equal(response.headers.get('x-content-type-options'), 'nosniff', what);
  assert.equal(response.headers.get('referrer-policy'), 'no-referrer', what);
  return nonce!;
}
