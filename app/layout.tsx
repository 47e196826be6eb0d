import type { Metadata, Viewport } from 'next';
import type { ReactNode } from 'react';
import './globals.css';

// Every page is rendered per request: Next puts the response's CSP nonce on
// its inline scripts only then (mail-daemon/startup/web-security-headers.ts); a page
// prerendered at build time would carry none, and its scripts would not run.
export const dynamic = 'force-dynamic';

export const metadata: Metadata = {
  title: { default: 'Mail', template: '%s' },
  description: 'Self-hosted mail: webmail and administration',
  icons: { icon: '/favicon.svg' },
};

export const viewport: Viewport = {
  colorScheme: 'light dark',
  themeColor: [
    { media: '(prefers-color-scheme: light)', color: '#ffffff' },
    { media: '(prefers-color-scheme: dark)', color: '#0b0f17' },
  ],
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-dvh font-sans antialiased">{children}</body>
    </html>
  );
}
