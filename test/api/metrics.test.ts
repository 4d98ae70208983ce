import request from 'supertest';
import { createApp } from '../../src/http/app';
import { Counter, Histogram, Registry } from '../../src/http/metrics';
import { createLogger } from '../../src/logger';
import { auth, createTestApp, type TestApp } from '../helpers/test-app';
import { backend } from '../helpers/test-db';
import { fixturePath } from '../helpers/fixtures';

/** Sample lines of a text exposition as `name{labels}` → value, labels in the order written. */
function parse(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{.*\})?) (\S+)$/.exec(line);
    if (!m) throw new Error(`not a sample line: ${line}`);
    samples.set(m[1], Number(m[2]));
  }
  return samples;
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
});

describe('metrics registry', () => {
  test('renders cumulative buckets and escapes label values', () => {
    const r = new Registry();
    const c = r.register(new Counter('t_total', 'help'));
    const h = r.register(new Histogram('t_seconds', 'help', [1, 0.1]));
    c.inc({ path: 'a"b\\c\nd' });
    for (const v of [0.05, 0.5, 5]) h.observe({}, v);
    expect(r.render().split('\n')).toEqual([
      '# HELP t_total help',
      '# TYPE t_total counter',
      't_total{path="a\\"b\\\\c\\nd"} 1',
      '# HELP t_seconds help',
      '# TYPE t_seconds histogram',
      't_seconds_bucket{le="0.1"} 1',
      't_seconds_bucket{le="1"} 2',
      't_seconds_bucket{le="+Inf"} 3',
      't_seconds_sum 5.55',
      't_seconds_count 3',
      '',
    ]);
  });
});
