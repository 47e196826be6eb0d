// The security headers on every answer of the web app: pages, API routes,
// static files and errors alike, since web-server.ts sets them before Next
// sees the request. A route may send its own, stricter Content-Security-Policy
// (a message part or source is `sandbox; default-src 'none'`), which then
// replaces this one.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';

/** A fresh nonce for one response's scripts (128 random bits). */
export function newScriptNonce(): string {
  return randomBytes(16).toString('base64');
}

/**
 * Scripts only from this site or inline with this response's nonce, which
 * Next reads back from the request's copy of the header and puts on its own
 * inline scripts. A message body is shown in an iframe with `srcdoc`, which
 * is bound by this policy as well as by its own: so images may come from
 * anywhere here (the frame's policy lets remote ones in only once the user
 * allows them), and inline styles are allowed (mail is full of them).
 */
export function contentSecurityPolicy(nonce: string): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}'`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob: https: http:",
    "font-src 'self' data:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/**
 * True when the browser reached us over HTTPS: our own TLS socket, or, only
 * behind a trusted reverse proxy, the proxy's X-Forwarded-Proto (its first
 * value, the one the browser's hop set).
 */
export function reachedOverHttps(request: IncomingMessage, trustProxy: boolean): boolean {
  if ((request.socket as TLSSocket).encrypted) return true;
  if (!trustProxy) return false;
  const forwarded = request.headers['x-forwarded-proto'];
  const first = String(Array.isArray(forwarded) ? forwarded[0] : forwarded ?? '').split(',')[0].trim().toLowerCase();
  return first === 'https';
}

/** The response headers for one answer. */
export function securityHeaders(nonce: string, https: boolean): Record<string, string> {
  return {
    'Content-Security-Policy': contentSecurityPolicy(nonce),
    'X-Content-Type-Options': 'nosniff',
    // Links in mail must not tell their sites the webmail's address (and the message id in it).
    'Referrer-Policy': 'no-referrer',
    // RFC 6797: sent only over HTTPS; browsers ignore it on plain HTTP.
    ...(https ? { 'Strict-Transport-Security': 'max-age=31536000' } : {}),
  };
}
