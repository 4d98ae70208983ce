// page.evaluate callbacks run in the browser: they are written against the DOM types.
/// <reference lib="dom" />
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { PROJECT_ROOT } from '../../src/config';
import { CHROMIUM, launchChromium, watchProblems } from '../helpers/chromium';
import { PROVIDER_PASSWORD, providerAccount, startSsoApp, type SsoApp } from '../helpers/sso-app';
import { backend } from '../helpers/test-db';

/**
 * "Sign in with <school>" in Debian's Chromium: the page's button, the real provider's sign-in
 * page, and back on the page signed in as a new teacher. Screenshots of the sign-in screen,
 * desktop and 375 px wide, go to test-artifacts/browser/ (teacher.test.ts fails CI when Chromium
 * is missing).
 */
const ARTIFACTS = path.join(PROJECT_ROOT, 'test-artifacts', 'browser');

(fs.existsSync(CHROMIUM) ? describe : describe.skip)(`single sign-on from the page in Chromium on ${backend}`, () => {
  let sso: SsoApp;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.web.json'], { cwd: PROJECT_ROOT });
    sso = await startSsoApp({ ana: providerAccount('ana.new@school.example', true, 'Ana New') });
    // A first user exists, so the page offers sign-in rather than first-run setup.
    await sso.a.services.users.create({ email: 'head@school.example', name: 'Head', role: 'admin', password: 'the head password', classes: [] }, { actor: 'cli', userId: null });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.setDefaultTimeout(20_000);
    watchProblems(page, problems);
  });
  afterAll(async () => {
    await browser?.close();
    await sso?.close();
  });

  test('the sign-in screen offers "Sign in with Test School"; the provider signs a new teacher in', async () => {
    await page.goto(sso.origin);
    const button = page.getByRole('link', { name: 'Sign in with Test School' });
    await button.waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS, 'sso-signin-desktop.png'), fullPage: true });
    await page.setViewportSize({ width: 375, height: 812 });
    await page.screenshot({ path: path.join(ARTIFACTS, 'sso-signin-375px.png'), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });
    await button.click();
    await page.waitForURL((u) => u.origin === sso.provider.issuer);
    await page.locator('input[name="login"]').fill('ana');
    await page.locator('input[name="password"]').fill(PROVIDER_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('Signed in as Ana New (teacher)').waitFor();
    expect(page.url()).toBe(`${sso.origin}/`);
    expect(await page.locator('#signin-section').isHidden()).toBe(true);
    // The session is the HttpOnly cookie, as with a password.
    expect(await page.evaluate(() => document.cookie)).toBe('');
    expect(problems).toEqual([]);
  });
});
