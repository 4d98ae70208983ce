import type { RequestHandler } from 'express';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Config } from '../config';
import type { InferenceQueue } from '../services/inference-queue';
import { operationMatcher, operations } from './openapi';

const HTTP_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
const STAGE_SECONDS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const FACES = [0, 1, 2, 3, 5, 10, 15, 20, 30, 40, 50, 75, 100];
const STAGES = ['decode', 'detect', 'align', 'embed', 'match'];

export interface AppMetrics {
  middleware: RequestHandler;
  /** The Prometheus text format's content type. */
  contentType: string;
  /** The text exposition of every metric: this app's, then the process's. */
  render(): Promise<string>;
}

/**
 * prom-client's process, memory, GC and event-loop-lag metrics describe the process, not an app:
 * one collector per process, however many apps (tests build several) share it.
 */
let processRegistry: Registry | undefined;
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

/** Rollcall's metrics, one registry per app (tests build several apps in one process). */
export function appMetrics(config: Config, queue: InferenceQueue): AppMetrics {
  const registers = [new Registry()];
  const requests = new Counter({
    name: 'rollcall_http_requests_total',
    help: 'HTTP requests answered, by method, route template and status',
    labelNames: ['method', 'route', 'status'],
    registers,
  });
  const duration = new Histogram({
    name: 'rollcall_http_request_duration_seconds',
    help: 'Time to answer, by method and route template',
    labelNames: ['method', 'route'],
    buckets: HTTP_SECONDS,
    registers,
  });
  const stages = new Histogram({
    name: 'rollcall_recognition_stage_seconds',
    help: 'Time per recognition stage',
    labelNames: ['stage'],
    buckets: STAGE_SECONDS,
    registers,
  });
  const faces = new Histogram({ name: 'rollcall_faces_per_photo', help: 'Faces found in each recognised photo', buckets: FACES, registers });
  new Gauge({
    name: 'rollcall_inference_queue_depth',
    help: 'Photos being analysed (running) and waiting for a slot',
    labelNames: ['state'],
    registers,
    // Read when scraped: nothing to keep up to date in between.
    collect() {
      for (const [state, value] of Object.entries(queue.depth)) this.set({ state }, value);
    },
  });

  const operationFor = operationMatcher(operations(config));
  const middleware: RequestHandler = (req, res, next) => {
    const end = duration.startTimer();
    // Route templates, not raw paths, keep the number of series bounded whatever clients send.
    const route = operationFor(req.method, req.path)?.path ?? 'unmatched';
    res.on('finish', () => {
      end({ method: req.method, route });
      requests.inc({ method: req.method, route, status: String(res.statusCode) });
      const timings = res.locals.timings as Record<string, number> | undefined;
      if (!timings) return;
      for (const stage of STAGES) if (typeof timings[stage] === 'number') stages.observe({ stage }, timings[stage] / 1000);
      if (typeof res.locals.faces === 'number') faces.observe(res.locals.faces);
    });
    next();
  };
  const registry = Registry.merge([registers[0], processMetrics()]);
  return { middleware, contentType: registry.contentType, render: () => registry.metrics() };
}
