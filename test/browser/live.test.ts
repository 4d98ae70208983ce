// page.evaluate callbacks run in the browser: they are written against the DOM types.
/// <reference lib="dom" />
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import request from 'supertest';
import type { Browser, Page } from 'playwright-core';
import { PROJECT_ROOT } from '../../src/config';
import { fixturePath, readIndex } from '../helpers/fixtures';
import { auth, createTestApp, type TestApp } from '../helpers/test-app';
import { backend } from '../helpers/test-db';
import { haveFfmpeg } from '../helpers/clips';
import { CHROMIUM, launchChromium } from '../helpers/chromium';
import { grantConsent } from '../helpers/consent';
import { CLI_ACTOR } from '../../src/services/users';

/**
 * Live attendance in Debian's Chromium with a fake camera fed from a clip this test makes with
 * ffmpeg from a real fixture photo (Kit Harington with Rose Leslie): the Live button starts the
 * camera, frames go to the session, names appear and the roster fills in, Stop ends it. A second
 * browser, whose camera permission is refused, shows the message and still takes a photo.
 * Screenshots go to test-artifacts/browser/.
 */
const ARTIFACTS = path.join(PROJECT_ROOT, 'test-artifacts', 'browser');
const index = readIndex();
const nameOf = (id: string) => index.identities.find((i) => i.id === id)!.name;
const enrolFiles = (id: string) => index.files.filter((f) => f.kind === 'enroll' && f.identities?.includes(id)).map((f) => fixturePath(f.path));
const PEOPLE = ['kit_harington', 'rose_leslie', 'obama'];
const ADMIN = { email: 'head@school.example', password: 'the head password' };

const canRun = fs.existsSync(CHROMIUM) && haveFfmpeg;
if (!canRun && process.env.CI) {
  test('Chromium and ffmpeg are installed', () => {
    throw new Error('the live camera test needs Debian\'s "chromium" and "ffmpeg" packages (.ci/run installs them)');
  });
}

(canRun ? describe : describe.skip)(`live camera in Chromium on ${backend}`, () => {
  let a: TestApp;
  let server: Server;
  let base: string;
  let dir: string;
  const browsers: Browser[] = [];
  const problems: string[] = [];

  async function open(args: string[]): Promise<Page> {
    const browser = await launchChromium(args);
    browsers.push(browser);
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.setDefaultTimeout(30_000);
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    await page.goto(base);
    await page.locator('#signin-email').fill(ADMIN.email);
    await page.locator('#signin-password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('#class-select option', { hasText: 'LIVE-1' }).waitFor({ state: 'attached' });
    await page.selectOption('#class-select', { label: 'LIVE-1 — Live' });
    await page.locator('#take-section:not([hidden])').waitFor();
    return page;
  }

  beforeAll(async () => {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.web.json'], { cwd: PROJECT_ROOT });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rollcall-live-'));
    // Chromium's fake camera plays a Y4M file in a loop.
    execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-loop', '1', '-i', fixturePath('group/kit_with_rose.jpg'), '-vf', 'scale=500:700,format=yuv420p', '-t', '2', '-r', '5', path.join(dir, 'camera.y4m')]);
    a = await createTestApp();
    await a.services.users.create({ ...ADMIN, name: 'Head', role: 'admin', classes: [] }, CLI_ACTOR);
    const classId = (await request(a.app).post('/api/v1/classes').set(auth).send({ code: 'LIVE-1', name: 'Live' }).expect(201)).body.id;
    for (const id of PEOPLE) {
      await request(a.app).post('/api/v1/students').set(auth).send({ student_id: `S-${id}`, name: nameOf(id) }).expect(201);
      await grantConsent(a.app, `S-${id}`);
      const req = request(a.app).post(`/api/v1/students/S-${id}/faces`).set(auth);
      for (const f of enrolFiles(id)) req.attach('images', f);
      await req.expect(201);
    }
    await a.t.db.query('INSERT INTO class_members (class_id, student_pk) SELECT $1, id FROM students', [classId]);
    server = a.app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }, 120_000);

  afterAll(async () => {
    for (const b of browsers) await b.close();
    await new Promise((resolve) => server?.close(resolve));
    await a?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('Live: the camera sends frames, names appear on the picture, the roster fills in, Stop ends it', async () => {
    const page = await open(['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${path.join(dir, 'camera.y4m')}`]);
    await page.getByRole('button', { name: 'Live', exact: true }).click();
    await page.locator('#live:not([hidden])').waitFor();
    const present = page.locator('#present-list');
    await present.getByText(nameOf('rose_leslie'), { exact: true }).waitFor();
    await present.getByText(nameOf('kit_harington'), { exact: true }).waitFor();
    expect(await page.locator('#absent-list').textContent()).toContain(nameOf('obama'));
    expect(await page.locator('#live-state').textContent()).toMatch(/^Live: \d named in this frame/);
    // The overlay has the camera frame's size and something drawn on it (the boxes and names).
    const drawn = await page.locator('#live-overlay').evaluate((c: HTMLCanvasElement) => {
      const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i] > 0) n++;
      return { width: c.width, height: c.height, painted: n };
    });
    expect(drawn).toMatchObject({ width: 500, height: 700 });
    expect(drawn.painted).toBeGreaterThan(0);
    await page.screenshot({ path: path.join(ARTIFACTS, 'live-01-running.png'), fullPage: true });

    await page.getByRole('button', { name: 'Stop', exact: true }).click();
    await page.locator('#live').waitFor({ state: 'hidden' });
    expect(await page.evaluate(() => (document.getElementById('live-video') as HTMLVideoElement).srcObject)).toBeNull();
    await page.getByRole('status').filter({ hasText: 'Live attendance stopped.' }).waitFor();
    // One session, made of the live frames.
    expect(await page.locator('#sessions-rows tr').count()).toBe(1);
    await page.screenshot({ path: path.join(ARTIFACTS, 'live-02-stopped.png'), fullPage: true });
  });

  test('camera permission refused: a clear message, and a photo still takes attendance', async () => {
    const page = await open(['--deny-permission-prompts']);
    await page.getByRole('button', { name: 'Live', exact: true }).click();
    const alert = page.getByRole('alert');
    await alert.filter({ hasText: 'upload a photo instead' }).waitFor();
    expect(await page.locator('#live').isHidden()).toBe(true);
    await page.screenshot({ path: path.join(ARTIFACTS, 'live-03-refused.png'), fullPage: true });
    await page.getByLabel('Classroom photo(s)').setInputFiles(fixturePath('group/kit_with_rose.jpg'));
    await page.getByRole('button', { name: 'Take attendance' }).click();
    await page.locator('#present-list').getByText(nameOf('rose_leslie'), { exact: true }).waitFor();
  });

  test('no page errors', () => {
    expect(problems).toEqual([]);
  });
});
