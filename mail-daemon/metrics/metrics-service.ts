// GET /metrics in Prometheus's text format on METRICS_HOST:METRICS_PORT (off
// by default), a listener of its own so it never shares a port with mail or
// the web. It answers nothing else.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Service } from '../startup/services.ts';
import { collectProcessMetrics, metricsRegistry } from './metrics.ts';
import { updateDatabaseGauges } from './database-gauges.ts';

export const metricsService: Service = async ({ config, store, log }) => {
  if (config.metrics.port === null) return null;
  collectProcessMetrics();
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://metrics').pathname;
    if (path !== '/metrics') return void response.writeHead(404, { 'Content-Type': 'text/plain' }).end('only /metrics is here\n');
    if (request.method !== 'GET' && request.method !== 'HEAD') return void response.writeHead(405, { Allow: 'GET, HEAD' }).end();
    updateDatabaseGauges(store)
      .then(() => metricsRegistry.metrics())
      .then(
        (text) => response.writeHead(200, { 'Content-Type': metricsRegistry.contentType }).end(request.method === 'HEAD' ? undefined : text),
        (error) => {
          log(`metrics: ${error?.message ?? error}`);
          response.writeHead(500, { 'Content-Type': 'text/plain' }).end('metrics unavailable\n');
        },
      );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.metrics.port!, config.metrics.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    name: 'metrics',
    addresses: [{ label: 'metrics', host: config.metrics.host, port }],
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};
