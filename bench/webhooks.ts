import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { loadConfig } from '../src/config';
import { createLogger } from '../src/logger';
import { WebhookDeliverer } from '../src/services/webhook-delivery';
import { StudentsService } from '../src/services/students';
import { WebhooksService } from '../src/services/webhooks';
import type { Db } from '../src/store/db';
import { openDatabase } from '../src/store/open';

/**
 * How soon an event reaches a healthy receiver (target: within 2 s of the change), on PGlite and,
 * when DATABASE_URL is set, on a fresh Postgres database: node dist/bench/webhooks.js.
 * The change is a real student erasure through StudentsService; the clock starts when its
 * transaction has committed and stops when a receiver on 127.0.0.1 has the request. Default
 * settings (WEBHOOK_POLL_MS=1000) except WEBHOOK_ALLOW_PRIVATE, which the loopback receiver needs.
 */

const TARGET_MS = 2000;
const SINGLE = 30;
const BURST = 300;

const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];

async function receiver(onEvent: (id: string) => void) {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      onEvent(String(req.headers['x-rollcall-event-id']));
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, close: () => new Promise((r) => server.close(r)) };
}

async function run(db: Db): Promise<{ p50: number; p95: number; max: number; burstMs: number }> {
  const config = loadConfig({ ...process.env, WEBHOOK_ALLOW_PRIVATE: 'true' });
  let arrived: () => void = () => undefined;
  let count = 0;
  const r = await receiver(() => {
    count += 1;
    arrived();
  });
  const students = new StudentsService(db);
  await new WebhooksService(db, true).create({ url: r.url, events: ['student.erased'] }, 'bench');
  const deliverer = new WebhookDeliverer(db, config, createLogger('silent'));
  deliverer.start();
  const erase = async (id: string) => {
    await students.create({ student_id: id, name: 'Bench Student' });
    await students.erase(id, 'bench');
  };
  const waitFor = (n: number) => new Promise<void>((resolve) => {
    arrived = () => count >= n && resolve();
    arrived();
  });
  try {
    const latencies: number[] = [];
    for (let i = 0; i < SINGLE; i++) {
      // Changes land at random points of the poll interval, as real ones do.
      await new Promise((res) => setTimeout(res, Math.random() * config.webhookPollMs));
      const expected = count + 1;
      await erase(`L${i}`);
      const t0 = performance.now();
      await waitFor(expected);
      latencies.push(performance.now() - t0);
    }
    const before = count;
    const t0 = performance.now();
    for (let i = 0; i < BURST; i++) await erase(`B${i}`);
    await waitFor(before + BURST);
    const burstMs = performance.now() - t0;
    return { p50: quantile(latencies, 0.5), p95: quantile(latencies, 0.95), max: Math.max(...latencies), burstMs };
  } finally {
    await deliverer.stop();
    await r.close();
  }
}

async function main() {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'rollcall-bench-'));
  const rows: string[] = [];
  const line = (backend: string, x: Awaited<ReturnType<typeof run>>) =>
    `| ${backend} | ${x.p50.toFixed(0)} | ${x.p95.toFixed(0)} | ${x.max.toFixed(0)} | ${x.max <= TARGET_MS ? 'yes' : 'NO'} | ${BURST} in ${(x.burstMs / 1000).toFixed(1)} s |`;
  try {
    const pglite = await openDatabase({ databaseUrl: null, dataDir: work });
    try {
      rows.push(line('pglite', await run(pglite)));
    } finally {
      await pglite.close();
    }
    if (process.env.DATABASE_URL) {
      const dbName = `rollcall_bench_webhooks_${process.pid}`;
      const admin = async (sql: string) => {
        const c = new Client({ connectionString: process.env.DATABASE_URL });
        await c.connect();
        await c.query(sql).finally(() => c.end());
      };
      await admin(`CREATE DATABASE ${dbName}`);
      const u = new URL(process.env.DATABASE_URL);
      u.pathname = `/${dbName}`;
      const pg = await openDatabase({ databaseUrl: u.toString(), dataDir: work });
      try {
        rows.push(line('postgres', await run(pg)));
      } finally {
        await pg.close();
        await admin(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
      }
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  process.stdout.write(
    `\nWebhook latency, change committed → request at the receiver (${SINGLE} single events, ms; ${os.cpus().length} cores)\n\n` +
      `| backend | p50 | p95 | max | max ≤ ${TARGET_MS} ms | burst (sequential changes, then all delivered) |\n|---|---|---|---|---|---|\n${rows.join('\n')}\n`,
  );
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
