import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import request from 'supertest';
import sharp from 'sharp';
import { auth, createTestApp, type TestApp } from '../helpers/test-app';
import { backend } from '../helpers/test-db';
import { fixturePath, readIndex } from '../helpers/fixtures';
import { audioOnlyClip, describeWithFfmpeg, panClip, rotatedCopy, slideshowClip, stillClip, VP8 } from '../helpers/clips';

const index = readIndex();
const sid = (identity: string) => `S-${identity}`;
const enrolFiles = index.files.filter((f) => f.kind === 'enroll');

// Decoding writes the clip to a private temporary directory; give this file its own, to see that none is left.
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rollcall-video-test-'));
process.env.TMPDIR = tmp;
const clipsDir = fs.mkdtempSync(path.join(tmp, 'clips-'));
const clip = (name: string) => path.join(clipsDir, name);
const leftovers = () => fs.readdirSync(tmp).filter((n) => n.startsWith('rollcall-video-'));
/** ffmpeg processes started by this test process (the service's decoders). */
const ffmpegChildren = () =>
  execFileSync('ps', ['-o', 'comm=', '--ppid', String(process.pid)], { encoding: 'utf8' }).split('\n').filter((c) => c.trim() === 'ffmpeg');

const present = (body: { present: { student_id: string }[] }) => body.present.map((p) => p.student_id).sort();

async function enrolEveryone(a: TestApp) {
  for (const id of index.identities) {
    await request(a.app).post('/api/v1/students').set(auth).send({ student_id: sid(id.id), name: id.name }).expect(201);
    const req = request(a.app).post(`/api/v1/students/${sid(id.id)}/faces`).set(auth);
    for (const f of enrolFiles.filter((f) => f.identities![0] === id.id)) req.attach('images', fixturePath(f.path));
    expect((await req).status).toBe(201);
  }
}

describeWithFfmpeg(`video recognition on ${backend}`, () => {
  let a: TestApp;
  let classId: string;

  beforeAll(async () => {
    a = await createTestApp();
    await enrolEveryone(a);
    classId = (await request(a.app).post('/api/v1/classes').set(auth).send({ code: 'VID-1', name: 'Video' })).body.id;
    await a.t.db.query(`INSERT INTO class_members (class_id, student_pk) SELECT $1, id FROM students`, [classId]);
    panClip('group/obama_and_biden.jpg', clip('pan.mp4'), { width: 1100, height: 1000, seconds: 4 });
    slideshowClip(['query/obama1.jpg', 'people/kit_harington/john1.jpeg', 'people/rose_leslie/img1.jpg', 'query/alex_lacamoire1.jpg'], clip('slides.mov'), { size: 640, each: 1.5 });
  }, 120_000);
  afterAll(() => a.close());

  test('a sweep across a group photo: each person one track, named once, the child counted once', async () => {
    const res = await request(a.app).post('/api/v1/recognitions').set(auth).attach('file', clip('pan.mp4'), 'pan.mp4').expect(200);
    console.log(JSON.stringify(res.body.faces.map((f: any) => [f.status, f.student?.student_id, f.similarity, f.first_seen_s, f.frames, f.box])), res.body.video, res.body.timings_ms);
    expect(present(res.body)).toEqual([sid('biden'), sid('obama')]);
    expect(res.body.unknown_faces).toBe(1);
  });

  test('a slideshow of people in a MOV', async () => {
    const res = await request(a.app).post('/api/v1/recognitions').set(auth).attach('file', clip('slides.mov'), 'slides.mov').expect(200);
    console.log(JSON.stringify(res.body.faces.map((f: any) => [f.status, f.student?.student_id, f.similarity, f.first_seen_s, f.frames, f.box])), res.body.video, res.body.timings_ms);
    expect(present(res.body)).toEqual([sid('alex_lacamoire'), sid('kit_harington'), sid('obama'), sid('rose_leslie')]);
  });
});
