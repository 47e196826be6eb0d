// The whole platform as `npm start` runs it (tsx mail-daemon/startup/start-all.ts:
// migrations, then the daemon and the web app as child processes) on a
// fresh SQLite data directory, free loopback ports and a DNS server run by
// the test, plus Debian's Chromium driven by playwright-core.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { get as httpsGet } from 'node:https';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { startTestDnsServer, type TestDnsServer } from '../support/dns-server.ts';
import { freePort } from '../support/free-port.ts';

const startAll = new URL('../../mail-daemon/startup/start-all.ts', import.meta.url).pathname;
// A web build from scratch takes about a minute (several on a loaded machine); a fresh one is reused.
const READY_WITHIN_MS = 360_000;

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';


function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** True when GET /api/health answers 200 (over HTTPS too, with the platform's self-signed certificate). */
function webHealthy(base: string): Promise<boolean> {
  return new Promise((resolve) => {
    const get = base.startsWith('https:') ? httpsGet : httpGet;
    const request = get(`${base}/api/health`, { rejectUnauthorized: false }, (response) => {
      response.resume();
      resolve(response.statusCode === 200);
    });
    request.on('error', () => resolve(false));
  });
}

export interface Platform {
  base: string;
  dataDir: string;
  smtpPort: number;
  imapPort: number;
  dns: TestDnsServer;
  browser: Browser;
  /** Content-Security-Policy violations Chromium reported in any context the test opened. */
  cspViolations(): string[];
  output(): string;
  stop(): Promise<void>;
}

export async function startPlatform(env: Record<string, string> = {}): Promise<Platform> {
  const dns = await startTestDnsServer({});
  const dataDir = mkdtempSync(join(tmpdir(), 'mail-e2e-'));
  const [webPort, smtpPort, imapPort] = [await freePort(), await freePort(), await freePort()];
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', startAll], {
    env: {
      ...process.env,
      DATA_DIR: dataDir,
      DATABASE_URL: '',
      LISTEN_HOST: '127.0.0.1',
      MAIL_HOSTNAME: 'mail.e2e.test',
      WEB_PORT: String(webPort),
      SMTP_PORT: String(smtpPort),
      IMAP_PORT: String(imapPort),
      SUBMISSION_PORT: 'off',
      SUBMISSIONS_PORT: 'off',
      POP3_PORT: 'off',
      POP3S_PORT: 'off',
      IMAPS_PORT: 'off',
      DNS_SERVERS: dns.address,
      ALLOW_PLAINTEXT_LOOPBACK: 'true',
      LOGIN_DELAY_STEP: '1ms',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, so that stop() reaches `next` and the daemon too.
    detached: true,
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  // WEB_TLS=true: the web app serves HTTPS with the daemon's self-signed certificate.
  const base = `${env.WEB_TLS === 'true' ? 'https' : 'http'}://127.0.0.1:${webPort}`;

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      process.kill(-child.pid!, 'SIGTERM');
      const exited = new Promise((resolve) => child.once('exit', resolve));
      const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    await dns.close();
    rmSync(dataDir, { recursive: true, force: true });
  };

  try {
    const deadline = Date.now() + READY_WITHIN_MS;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the platform exited with code ${child.exitCode}:\n${output}`);
      if (Date.now() > deadline) throw new Error(`the platform was not ready within ${READY_WITHIN_MS / 1000} s:\n${output}`);
      const healthy = await webHealthy(base);
      if (healthy && (await portOpen(smtpPort)) && (await portOpen(imapPort))) break;
      await new Promise((wake) => setTimeout(wake, 250));
    }
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      // Without the background-networking flags Chromium keeps dialling
      // Google's hosts, which a closed test network refuses.
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    // Every context the tests open reports the policy violations its pages log,
    // so a test can check that the whole app ran under the CSP.
    const violations: string[] = [];
    const newContext = browser.newContext.bind(browser);
    browser.newContext = async (...args) => {
      const context = await newContext(...args);
      context.on('console', (message) => {
        if (/Content Security Policy/i.test(message.text())) violations.push(`${message.location().url}: ${message.text()}`);
      });
      return context;
    };
    const platform: Platform = {
      base,
      dataDir,
      smtpPort,
      imapPort,
      dns,
      browser,
      cspViolations: () => [...violations],
      output: () => output,
      stop: async () => {
        await browser.close().catch(() => undefined);
        await stop();
      },
    };
    return platform;
  } catch (error) {
    await stop();
    throw error;
  }
}
