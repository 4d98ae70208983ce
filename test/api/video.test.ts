import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import request from 'supertest';
import sharp from 'sharp';
import { auth, createTestApp, type TestApp } from '../helpers/test-app';
import { grantConsent } from '../helpers/consent';
import { backend } from '../helpers/test-db';
import { fixturePath, readIndex } from '../helpers/fixtures';
import { schemaErrors } from '../helpers/schema-check';
import { openApiDocument } from '../../src/http/openapi';
import { turnedAwayClip } from '../../bench/turned-away-clip';
import { audioOnlyClip, claimingHours, describeWithFfmpeg, framesOf, HEVC, panClip, phoneRotatedClip, slideshowClip, stillClip, testWithLibx265, VP8 } from '../helpers/clips';

const index = readIndex();
// Photos that were not enrolled (kind 'query'), one person each.
const turnedAway = ['query/obama1.jpg', 'query/johnsnow_test1.jpg', 'query/alex_lacamoire1.jpg'];
const identityOf = (photo: string) => index.files.find((f) => f.path === photo)!.identities![0];
const sid = (identity: string) => `S-${identity}`;
const enrolFiles = index.files.filter((f) => f.kind === 'enroll');

// Decoding writes each clip to a private temporary directory under VIDEO_TMP_DIR: the apps here
// get their own, so that a directory left behind would be seen.
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rollcall-video-test-'));
const VIDEO_TMP_DIR = tmp;
const clipsDir = fs.mkdtempSync(path.join(tmp, 'clips-'));
const clip = (name: string) => path.join(clipsDir, name);
const leftovers = () => fs.readdirSync(tmp).filter((n) => n.startsWith('rollcall-video-'));
/** ffmpeg processes started by this test process (the service's decoders). */
const ffmpegChildren = () =>
  execFileSync('ps', ['-o', 'comm=', '--ppid', String(process.pid)], { encoding: 'utf8' })
    .split('\n')
    .filter((c) => c.trim() === 'ffmpeg');
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const until = async (what: string, ok: () => boolean, ms = 20_000) => {
  for (const end = Date.now() + ms; !ok(); await new Promise((r) => setTimeout(r, 50))) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
  }
};

const named = (body: { present: { student_id: string }[] }) => body.present.map((p) => p.student_id).sort();
const count = async (a: TestApp, table: string) => (await a.t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`))[0].n;

async function enrolEveryone(a: TestApp) {
  for (const id of index.identities) {
    await request(a.app).post('/api/v1/students').set(auth).send({ student_id: sid(id.id), name: id.name }).expect(201);
    await grantConsent(a.app, sid(id.id));
    const req = request(a.app).post(`/api/v1/students/${sid(id.id)}/faces`).set(auth);
    for (const f of enrolFiles.filter((f) => f.identities![0] === id.id)) req.attach('images', fixturePath(f.path));
    expect((await req).status).toBe(201);
  }
}

/** A recognition answer must match the OpenAPI document's Recognition schema. */
function expectRecognitionSchema(a: TestApp, body: unknown) {
  const doc = openApiDocument(a.config);
  expect(schemaErrors({ $ref: '#/components/schemas/Recognition' }, body, doc)).toEqual([]);
}

describeWithFfmpeg(`video recognition on ${backend}`, () => {
  let a: TestApp;
  let classId: string;

  beforeAll(async () => {
    a = await createTestApp({ STORE_PHOTOS: 'true', VIDEO_TMP_DIR });
    await enrolEveryone(a);
    classId = (await request(a.app).post('/api/v1/classes').set(auth).send({ code: 'VID-1', name: 'Video' })).body.id;
    await a.t.db.query(`INSERT INTO class_members (class_id, student_pk) SELECT $1, id FROM students`, [classId]);
    // A sweep across a real group photo: Obama and Biden, and a child who is not enrolled and
    // comes into view only at the end, in part first.
    panClip('group/obama_and_biden.jpg', clip('pan.mp4'), { width: 1100, height: 1000, seconds: 4 });
    phoneRotatedClip(clip('pan.mp4'), clip('rotated.mp4'));
    phoneRotatedClip(clip('pan.mp4'), clip('sideways.mp4'), 0);
    slideshowClip(['query/obama1.jpg', 'people/kit_harington/john1.jpeg', 'people/rose_leslie/img1.jpg', 'query/alex_lacamoire1.jpg'], clip('slides.mov'), { size: 640, each: 1.5 });
    panClip('group/kit_with_rose.jpg', clip('kit-rose.webm'), { width: 400, height: 500, seconds: 3, codec: VP8 });
    audioOnlyClip(clip('audio.m4a'));
    panClip('group/cf_000_5.jpg', clip('long.mp4'), { width: 700, height: 500, seconds: 30, fps: 5 });
    await turnedAwayClip(turnedAway.map((p) => fs.readFileSync(fixturePath(p))), clip('turned-away.mp4'), 1);
  }, 180_000);
  afterAll(() => a.close());

  test('a sweep across a group photo: each person one track, named once, the child counted once', async () => {
    const res = await request(a.app).post('/api/v1/recognitions').set(auth).attach('file', clip('pan.mp4'), 'pan.mp4').expect(200);
    expectRecognitionSchema(a, res.body);
    expect(named(res.body)).toEqual([sid('biden'), sid('obama')]);
    expect(res.body.unknown_faces).toBe(1);
    expect(res.body.faces).toHaveLength(3);
    expect(res.body.image).toEqual({ width: 1100, height: 1000 });
    expect(res.body.video.duration_s).toBeCloseTo(4, 1);
    expect(res.body.video.frames_sampled).toBeGreaterThanOrEqual(7);
    for (const f of res.body.faces) {
      expect(f.frames).toBeGreaterThanOrEqual(1);
      expect(f.first_seen_s).toBeGreaterThanOrEqual(0);
      expect(f.first_seen_s).toBeLessThan(4);
      expect(f.box.x + f.box.width).toBeLessThanOrEqual(1100 + 1);
    }
    // The child is at the right edge of the photo: seen last.
    const child = res.body.faces.find((f: { status: string }) => f.status !== 'matched');
    expect(child.first_seen_s).toBeGreaterThan(Math.max(...res.body.faces.filter((f: { status: string }) => f.status === 'matched').map((f: { first_seen_s: number }) => f.first_seen_s)));
  });

  test('a phone clip stored rotated: frames come upright, the same people are named', async () => {
    const res = await request(a.app).post('/api/v1/recognitions').set(auth).attach('file', clip('rotated.mp4'), 'IMG_0001.MOV').expect(200);
    expect(res.body.image).toEqual({ width: 1100, height: 1000 });
    expect(named(res.body)).toEqual([sid('biden'), sid('obama')]);
    // The same pixels without the rotation: sideways, and the faces are not named.
    const sideways = await request(a.app).post('/api/v1/recognitions').set(auth).attach('file', clip('sideways.mp4')).expect(200);
    expect(sideways.body.image).toEqual({ width: 1000, height: 1100 });
    expect(named(sideways.body)).toEqual([]);
  });

  test('a MOV of people one after another: everyone named, in the order they appear', async () => {
    const res = await request(a.app).post('/api/v1/recognitions').set(auth).attach('file', clip('slides.mov'), 'slides.mov').expect(200);
    const order = [sid('obama'), sid('kit_harington'), sid('rose_leslie'), sid('alex_lacamoire')];
    expect(named(res.body)).toEqual([...order].sort());
    expect(res.body.unknown_faces).toBe(0);
    const seen = [...res.body.faces].sort((x, y) => x.first_seen_s - y.first_seen_s).map((f: { student: { student_id: string } }) => f.student.student_id);
    expect(seen).toEqual(order);
  });

  test('faces turned away in most frames: tracks name each person once where no single frame names them all', async () => {
    const people = turnedAway.map((p) => sid(identityOf(p))).sort();
    const res = await request(a.app).post('/api/v1/recognitions').set(auth).attach('file', clip('turned-away.mp4')).expect(200);
    expect(named(res.body)).toEqual(people);
    expect(res.body.faces).toHaveLength(people.length);
    expect(res.body.unknown_faces).toBe(0);
    // The clip's frames at the rate the service samples, each recognised as a photo.
    const byFrame = [];
    for (const frame of framesOf(clip('turned-away.mp4'), clip('turned-away-frames'), a.config.videoSampleFps)) {
      byFrame.push(named((await request(a.app).post('/api/v1/recognitions').set(auth).attach('file', frame).expect(200)).body));
    }
    expect(byFrame.length).toBeGreaterThanOrEqual(people.length);
    // Each person is named in some frame (the clear ones), and by no frame that the clip does not name…
    expect([...new Set(byFrame.flat())].sort()).toEqual(people);
    // …but even the best single frame names fewer people than the tracks of the clip.
    expect(Math.max(...byFrame.map((n) => n.length))).toBeLessThan(people.length);
  });

  testWithLibx265('an HEVC MP4 as an iPhone records it (H.265, hvc1)', async () => {
    slideshowClip(['query/obama1.jpg', 'query/johnsnow_test1.jpg'], clip('hevc.mp4'), { size: 480, each: 1, codec: HEVC });
    const bytes = fs.readFileSync(clip('hevc.mp4'));
    // It really is HEVC in the iPhone's tagging: an hvc1 sample entry with its hvcC configuration.
    expect([bytes.includes('hvc1'), bytes.includes('hvcC'), bytes.includes('avc1')]).toEqual([true, true, false]);
    const res = await request(a.app).post('/api/v1/recognitions').set(auth).attach('file', bytes, 'IMG_0002.MP4').expect(200);
    expect(res.body.video).toBeDefined();
    expect(named(res.body)).toEqual([sid('kit_harington'), sid('obama')]);
    expect(res.body.unknown_faces).toBe(0);
  });

  test('a WebM (VP8), and the classic route lists names plus unknown tracks', async () => {
    const res = await request(a.app).post('/recognize_faces').set(auth).attach('file', clip('kit-rose.webm'), 'clip.bin').expect(200);
    const names = res.body.slice(0, -1).map((r: { ID: string }) => r.ID).sort();
    expect(names).toEqual([sid('kit_harington'), sid('rose_leslie')]);
    expect(res.body.at(-1)).toEqual({ unknown_faces: 0 });
  });

  test('?annotate=true on a clip: one JPEG contact sheet, a tile per track', async () => {
    const res = await request(a.app).post('/api/v1/recognitions?annotate=true').set(auth).attach('file', clip('pan.mp4')).expect(200);
    expect(res.headers['content-type']).toBe('image/jpeg');
    const meta = await sharp(res.body as Buffer).metadata();
    expect(meta.format).toBe('jpeg');
    expect(meta.width).toBe(3 * 200);
  });

  test('content decides, not the name: an MP4 named .jpg is a video, a JPEG named .mp4 a photo', async () => {
    const v = await request(a.app).post('/api/v1/recognitions').set(auth).attach('file', clip('pan.mp4'), 'photo.jpg').expect(200);
    expect(v.body.video).toBeDefined();
    const p = await request(a.app).post('/api/v1/recognitions').set(auth).attach('file', fixturePath('group/two_people.jpg'), 'clip.mp4').expect(200);
    expect(p.body.video).toBeUndefined();
    expect(named(p.body)).toEqual([sid('biden'), sid('obama')]);
  });

  test('live=true: a camera frame is detected at its own resolution and named as a photo is', async () => {
    const res = await request(a.app).post('/api/v1/recognitions').set(auth).field('live', 'true').attach('file', fixturePath('group/two_people.jpg')).expect(200);
    expect(named(res.body)).toEqual([sid('biden'), sid('obama')]);
    await request(a.app).post('/api/v1/recognitions?live=maybe').set(auth).attach('file', fixturePath('group/two_people.jpg')).expect(400);
  });

  test('sessions: a student seen in the photo or in the clip is present', async () => {
    const photo = request(a.app).post('/api/v1/recognitions').set(auth).field('class_id', classId).field('record', 'true');
    const sessionId = (await photo.attach('file', fixturePath('group/kit_with_rose.jpg')).expect(200)).body.session_id;
    const more = await request(a.app).post(`/api/v1/sessions/${sessionId}/photos`).set(auth).attach('file', clip('pan.mp4'), 'sweep.mp4').expect(200);
    expect(more.body.video).toBeDefined();
    const session = (await request(a.app).get(`/api/v1/sessions/${sessionId}`).set(auth).expect(200)).body;
    const status = Object.fromEntries(session.attendance.map((r: { student_id: string; status: string }) => [r.student_id, r.status]));
    expect(status).toMatchObject({ [sid('kit_harington')]: 'present', [sid('rose_leslie')]: 'present', [sid('obama')]: 'present', [sid('biden')]: 'present', [sid('alex_lacamoire')]: 'absent' });
    expect(session.photos).toHaveLength(2);
    expect(session.photos[1].unknown_faces).toBe(1);
    // STORE_PHOTOS keeps the photo, never the clip.
    expect(await count(a, 'session_photos WHERE photo IS NOT NULL')).toBe(1);
  });

  test.each([
    ['truncated MP4', 400, 'invalid_video', () => fs.readFileSync(clip('pan.mp4')).subarray(0, 40_000)],
    ['garbage after an MP4 header', 400, 'invalid_video', () => Buffer.concat([fs.readFileSync(clip('pan.mp4')).subarray(0, 32), Buffer.alloc(5000, 7)])],
    ['zero bytes', 400, 'invalid_image', () => Buffer.alloc(0)],
    ['audio only', 400, 'invalid_video', () => fs.readFileSync(clip('audio.m4a'))],
    ['a header claiming hundreds of hours', 413, 'video_too_long', () => claimingHours(fs.readFileSync(clip('pan.mp4')))],
  ] as const)('%s → %i %s, nothing recorded, service healthy', async (_name, status, code, bytes) => {
    const before = [await count(a, 'attendance_sessions'), await count(a, 'session_photos')];
    const res = await request(a.app).post('/api/v1/recognitions').set(auth).field('class_id', classId).field('record', 'true').attach('file', bytes(), 'clip.mp4');
    expect([res.status, res.body.error?.code]).toEqual([status, code]);
    expect([await count(a, 'attendance_sessions'), await count(a, 'session_photos')]).toEqual(before);
    expect((await request(a.app).get('/health').expect(200)).body.video).toBe(true);
    expect(leftovers()).toEqual([]);
  });

  test('a client that goes away: ffmpeg is killed and no file is left behind', async () => {
    // Its own server: supertest closes the one it starts only when a request ends, not when it is aborted.
    const server = a.app.listen(0);
    try {
      const pending = request(server).post('/api/v1/recognitions').set(auth).attach('file', clip('long.mp4'), 'long.mp4');
      const settled = pending.then(
        () => 'answered',
        () => 'aborted',
      );
      // Its clip lies in VIDEO_TMP_DIR while it runs: the check below looks in the right place.
      await until('ffmpeg to start on a clip in VIDEO_TMP_DIR', () => ffmpegChildren().length > 0 && leftovers().length > 0);
      pending.abort();
      expect(await settled).toBe('aborted');
      await until('ffmpeg to be killed and its directory removed', () => ffmpegChildren().length === 0 && leftovers().length === 0);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
    // The queue slot is free again: the next clip is answered.
    await request(a.app).post('/recognize_faces').set(auth).attach('file', clip('kit-rose.webm')).expect(200);
  });
});

describeWithFfmpeg(`video limits on ${backend}`, () => {
  let a: TestApp;
  beforeAll(async () => {
    a = await createTestApp({ MAX_PIXELS: '1000000', MAX_VIDEO_SECONDS: '2', MAX_VIDEO_MB: '1', VIDEO_TMP_DIR });
    panClip('group/obama_and_biden.jpg', clip('big-frames.mp4'), { width: 1280, height: 800, seconds: 1 });
    stillClip('group/two_people.jpg', clip('three-seconds.mp4'), 3);
  }, 60_000);
  afterAll(() => a.close());

  test('frames over MAX_PIXELS → 413 image_too_large', async () => {
    const res = await request(a.app).post('/api/v1/recognitions').set(auth).attach('file', clip('big-frames.mp4')).expect(413);
    expect(res.body.error).toMatchObject({ code: 'image_too_large', details: { width: 1280, height: 800 } });
  });
  test('longer than MAX_VIDEO_SECONDS → 413 video_too_long', async () => {
    const res = await request(a.app).post('/api/v1/recognitions').set(auth).attach('file', clip('three-seconds.mp4')).expect(413);
    expect(res.body.error.code).toBe('video_too_long');
  });
  test('larger than MAX_VIDEO_MB → 413 file_too_large, while a photo keeps MAX_UPLOAD_MB', async () => {
    const big = Buffer.concat([fs.readFileSync(clip('three-seconds.mp4')), Buffer.alloc(1.1 * 1024 * 1024)]);
    const res = await request(a.app).post('/api/v1/recognitions').set(auth).attach('file', big, 'big.mp4').expect(413);
    expect(res.body.error.code).toBe('file_too_large');
    expect(res.body.error.message).toContain('MAX_VIDEO_MB');
    await request(a.app).post('/api/v1/recognitions').set(auth).attach('file', fixturePath('group/two_people.jpg')).expect(200);
    expect(leftovers()).toEqual([]);
  });
});

describe(`no ffmpeg on ${backend}`, () => {
  let a: TestApp;
  beforeAll(async () => {
    a = await createTestApp({ FFMPEG_PATH: path.join(tmp, 'no-such-ffmpeg') });
  });
  afterAll(() => a.close());

  test('a clip → 415 video_unsupported saying how to install it; photos still work; health says video: false', async () => {
    const mp4 = Buffer.concat([Buffer.from([0, 0, 0, 24]), Buffer.from('ftypisom', 'latin1'), Buffer.alloc(2000)]);
    const res = await request(a.app).post('/api/v1/recognitions').set(auth).attach('file', mp4, 'clip.mp4').expect(415);
    expect(res.body.error.code).toBe('video_unsupported');
    expect(res.body.error.message).toContain('apt-get install ffmpeg');
    await request(a.app).post('/api/v1/recognitions').set(auth).attach('file', fixturePath('group/two_people.jpg')).expect(200);
    expect((await request(a.app).get('/health').expect(200)).body.video).toBe(false);
  });
});
