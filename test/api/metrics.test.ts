import request from 'supertest';
import { createApp } from '../../src/http/app';
import { createLogger } from '../../src/logger';
import { auth, createTestApp, type TestApp } from '../helpers/test-app';
import { backend } from '../helpers/test-db';
import { fixturePath } from '../helpers/fixtures';

/** `name{labels}` with its labels sorted: the exposition format gives their order no meaning. */
function sampleKey(name: string, labels = ''): string {
  const pairs = labels.match(/[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*"/g) ?? [];
  return pairs.length ? `${name}{${pairs.sort().join(',')}}` : name;
}

/** Sample lines of a text exposition; `get` takes `name{labels}` with the labels in any order. */
function parse(text: string): { get(key: string): number | undefined } {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not a sample line: ${line}`);
    samples.set(sampleKey(m[1]!, m[2]), Number(m[3]));
  }
  return {
    get: (key) => {
      const m = /^([^{]+)(?:\{(.*)\})?$/.exec(key)!;
      return samples.get(sampleKey(m[1]!, m[2]));
    },
  };
}

describe(`GET /metrics on ${backend}`, () => {
  let a: TestApp;
  const scrape = async () => {
    const res = await request(a.app).get('/metrics').set(auth).expect(200);
    expect(res.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    return { text: res.text, samples: parse(res.text) };
  };

  beforeAll(async () => {
    a = await createTestApp();
  });
  afterAll(() => a.close());

  test('needs a key unless METRICS_PUBLIC=true', async () => {
    expect((await request(a.app).get('/metrics').expect(401)).body.error.code).toBe('unauthorized');
    const open = createApp({ config: { ...a.config, metricsPublic: true }, log: createLogger('silent'), services: a.services });
    await request(open).get('/metrics').expect(200);
  });

  test('request counters and durations move, labelled by route template', async () => {
    const before = (await scrape()).samples;
    await request(a.app).get('/api/v1/classes').set(auth).expect(200);
    await request(a.app).get('/api/v1/classes').set(auth).expect(200);
    await request(a.app).get('/api/v1/classes/NO-SUCH').set(auth).expect(404);
    await request(a.app).get('/no/such/route').set(auth).expect(404);
    const { samples, text } = await scrape();
    const moved = (k: string) => (samples.get(k) ?? 0) - (before.get(k) ?? 0);
    expect(moved('rollcall_http_requests_total{method="GET",route="/api/v1/classes",status="200"}')).toBe(2);
    expect(moved('rollcall_http_requests_total{method="GET",route="/api/v1/classes/{classId}",status="404"}')).toBe(1);
    expect(moved('rollcall_http_requests_total{method="GET",route="unmatched",status="404"}')).toBe(1);
    expect(moved('rollcall_http_request_duration_seconds_count{method="GET",route="/api/v1/classes"}')).toBe(2);
    expect(text).not.toContain('NO-SUCH');
    expect(text).toContain('# TYPE rollcall_http_request_duration_seconds histogram');
  });

  test('recognition stages, faces per photo, queue depth and memory', async () => {
    await request(a.app).post('/api/v1/recognitions').set(auth).attach('file', fixturePath('group/two_people.jpg')).expect(200);
    await request(a.app).post('/recognize_faces').set(auth).attach('file', fixturePath('noface/cf_017_0.jpg')).expect(200);
    const { samples } = await scrape();
    for (const stage of ['decode', 'detect', 'align', 'embed', 'match']) {
      expect(samples.get(`rollcall_recognition_stage_seconds_count{stage="${stage}"}`)).toBe(2);
      expect(samples.get(`rollcall_recognition_stage_seconds_bucket{stage="${stage}",le="+Inf"}`)).toBe(2);
    }
    // Both answer formats are counted: 2 faces in the group photo, 0 in the other.
    expect(samples.get('rollcall_faces_per_photo_count')).toBe(2);
    expect(samples.get('rollcall_faces_per_photo_sum')).toBe(2);
    expect(samples.get('rollcall_faces_per_photo_bucket{le="0"}')).toBe(1);
    expect(samples.get('rollcall_faces_per_photo_bucket{le="2"}')).toBe(2);
    expect(samples.get('rollcall_inference_queue_depth{state="running"}')).toBe(0);
    expect(samples.get('rollcall_inference_queue_depth{state="waiting"}')).toBe(0);
    expect(samples.get('process_resident_memory_bytes')).toBeGreaterThan(10_000_000);
  });

  test("the process's own metrics: CPU, memory, heap, event-loop lag, garbage collection", async () => {
    // Allocate enough to make V8 collect at least once before the scrape.
    for (let i = 0; i < 50; i++) Buffer.alloc(1 << 20).fill(i).toString('base64');
    const { samples, text } = await scrape();
    expect(samples.get('process_cpu_seconds_total')).toBeGreaterThan(0);
    expect(samples.get('process_start_time_seconds')).toBeLessThanOrEqual(Date.now() / 1000);
    expect(samples.get('process_open_fds')).toBeGreaterThan(0);
    expect(samples.get('nodejs_heap_size_used_bytes')).toBeGreaterThan(1_000_000);
    expect(samples.get('nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0);
    expect(samples.get('nodejs_eventloop_lag_p99_seconds')).toBeGreaterThanOrEqual(0);
    expect(text).toContain('# TYPE nodejs_gc_duration_seconds histogram');
    expect(text).toMatch(/^nodejs_version_info\{.*version="v\d+\./m);
    // Every metric family is written once, whichever apps share the process.
    const families = [...text.matchAll(/^# TYPE (\S+)/gm)].map((m) => m[1]);
    expect(new Set(families).size).toBe(families.length);
  });
});
