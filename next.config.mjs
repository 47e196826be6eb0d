// The web app runs in the same checkout as the daemon and imports its
// TypeScript modules (prisma/database.ts, mail-daemon/...) directly.
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(fileURLToPath(import.meta.url));

/** @type {import('next').NextConfig} */
const nextConfig = {
  // Loaded by Node from node_modules at run time instead of being bundled:
  // native addons (better-sqlite3, argon2), drivers that load code
  // dynamically (pg, nodemailer's transports), and the Prisma runtime, whose
  // query compiler is a .wasm shipped as a base64 module next to it. tsx
  // (and its esbuild) load the daemon's delivery thread, which the web app
  // never starts but whose worker entry the bundler follows.
  serverExternalPackages: [
    '@prisma/adapter-better-sqlite3',
    '@prisma/adapter-pg',
    '@prisma/client',
    '@prisma/driver-adapter-utils',
    '@prisma/schema-engine-wasm',
    'argon2',
    'better-sqlite3',
    'esbuild',
    'libmime',
    'mailauth',
    'mailparser',
    'nodemailer',
    'pg',
    'prom-client',
    'selfsigned',
    'smtp-server',
    'tsx',
  ],
  // The checkout is the root, whatever lockfiles lie in the directories above.
  turbopack: { root },
  outputFileTracingRoot: root,
  // `npm run typecheck` checks the whole repository, daemon and tests
  // included; a type error in a file the web never imports must not stop
  // `npm start` from building the web app.
  typescript: { ignoreBuildErrors: true },
  poweredByHeader: false,
  // Outlook asks for Autodiscover in either spelling; one route answers both.
  async rewrites() {
    return [{ source: '/Autodiscover/Autodiscover.xml', destination: '/autodiscover/autodiscover.xml' }];
  },
};

export default nextConfig;
