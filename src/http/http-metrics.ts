import type { RequestHandler } from 'express';
import type { Config } from '../config';
import type { InferenceQueue } from '../services/inference-queue';
import { Counter, Gauge, Histogram, Registry } from './metrics';
import { operationMatcher, operations } from './openapi';

const HTTP_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
const STAGE_SECONDS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const FACES = [0, 1, 2, 3, 5, 10, 15, 20, 30, 40, 50, 75, 100];
const STAGES = ['decode', 'detect', 'align', 'embed', 'match'];

export interface AppMetrics {
  middleware: RequestHandler;
  /** The Prometheus text exposition of every metric. */
  render(): string;
}

/** Rollcall's metrics, one registry per app (tests build several apps in one process). */
export function appMetrics(config: Config, queue: InferenceQueue): AppMetrics {
  const registry = new Registry();
  const requests = registry.register(new Counter('rollcall_http_requests_total', 'HTTP requests answered, by method, route template and status'));
  const duration = registry.register(new Histogram('rollcall_http_request_duration_seconds', 'Time to answer, by method and route template', HTTP_SECONDS));
  const stages = registry.register(new Histogram('rollcall_recognition_stage_seconds', 'Time per recognition stage', STAGE_SECONDS));
  const faces = registry.register(new Histogram('rollcall_faces_per_photo', 'Faces found in each recognised photo', FACES));
  registry.register(
    new Gauge('rollcall_inference_queue_depth', 'Photos being analysed (running) and waiting for a slot', () =>
      Object.entries(queue.depth).map(([state, value]) => ({ labels: { state }, value })),
    ),
  );
  registry.register(new Gauge('process_resident_memory_bytes', 'Resident set size of this process', () => [{ value: process.memoryUsage.rss() }]));

  const operationFor = operationMatcher(operations(config));
  const middleware: RequestHandler = (req, res, next) => {
    const start = process.hrtime.bigint();
    // Route templates, not raw paths, keep the number of series bounded whatever clients send.
    const route = operationFor(req.method, req.path)?.path ?? 'unmatched';
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      requests.inc({ method: req.method, route, status: String(res.statusCode) });
      duration.observe({ method: req.method, route }, seconds);
      const timings = res.locals.timings as Record<string, number> | undefined;
      if (!timings) return;
      for (const stage of STAGES) if (typeof timings[stage] === 'number') stages.observe({ stage }, timings[stage] / 1000);
      if (typeof res.locals.faces === 'number') faces.observe({}, res.locals.faces);
    });
    next();
  };
  return { middleware, render: () => registry.render() };
}
