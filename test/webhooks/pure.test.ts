import crypto from 'node:crypto';
import { isPrivateAddress } from '../../src/webhooks/address';
import { MAX_RETRY_DELAY_MS, nextAttemptAt } from '../../src/webhooks/backoff';
import { signatureHeader } from '../../src/webhooks/signature';
import { verifyRollcallSignature } from '../helpers/webhook-verify';
import { parseTarget } from '../../src/webhooks/target';
import { loadConfig } from '../../src/config';

describe('isPrivateAddress', () => {
  test.each([
    '127.0.0.1', '127.255.0.9', '10.0.0.1', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '100.64.0.1',
    '0.0.0.0', '224.0.0.1', '255.255.255.255', '::1', '::', 'fe80::1', 'fd00::1', 'fc00::abcd', 'ff02::1',
    '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:10.0.0.1', '64:ff9b::a00:1', '2002:c0a8:101::1', 'not-an-ip',
  ])('%s is refused', (ip) => expect(isPrivateAddress(ip)).toBe(true));

  test.each(['8.8.8.8', '1.1.1.1', '172.32.0.1', '172.15.255.255', '192.169.0.1', '100.128.0.1', '2606:4700::1111', '::ffff:8.8.8.8', '2002:808:808::1'])(
    '%s is public',
    (ip) => expect(isPrivateAddress(ip)).toBe(false),
  );
});

describe('nextAttemptAt', () => {
  const event = new Date('2026-01-01T00:00:00Z');
  const day = 24 * 3600_000;
  test('waits base, then doubles, capped at an hour', () => {
    const delays = [1, 2, 3, 4, 12, 20].map((n) => nextAttemptAt(n, event, event, 10_000, day)!.getTime() - event.getTime());
    expect(delays).toEqual([10_000, 20_000, 40_000, 80_000, MAX_RETRY_DELAY_MS, MAX_RETRY_DELAY_MS]);
  });
  test('gives up once the next attempt would fall beyond the window', () => {
    const late = new Date(event.getTime() + day - 5_000);
    expect(nextAttemptAt(1, event, late, 10_000, day)).toBeNull();
    expect(nextAttemptAt(1, event, new Date(event.getTime() + day - 10_000), 10_000, day)).not.toBeNull();
  });
  test('a day of failures at the defaults is a few dozen attempts', () => {
    let now = event;
    let attempts = 0;
    for (let next = nextAttemptAt(1, event, now, 10_000, day); next; next = nextAttemptAt(attempts + 1, event, now, 10_000, day)) {
      now = next;
      attempts += 1;
    }
    expect(attempts).toBeGreaterThan(20);
    expect(attempts).toBeLessThan(40);
  });
});

describe('signature', () => {
  const secret = 'whsec_test_secret_0123456789';
  const body = '{"id":"e1","type":"student.erased","data":{"student_id":"S1"}}';
  test('is HMAC-SHA256 over "<t>.<body>" in hex, as a receiver computes it', () => {
    const header = signatureHeader(secret, body, 1_700_000_000);
    const hex = crypto.createHmac('sha256', secret).update(`1700000000.${body}`).digest('hex');
    expect(header).toBe(`t=1700000000,v1=${hex}`);
  });
  test("the documented receiver check accepts it, and refuses another body, another secret and an old timestamp", () => {
    const now = Math.floor(Date.now() / 1000);
    const header = signatureHeader(secret, body, now - 10);
    expect(verifyRollcallSignature(secret, body, header)).toBe(true);
    expect(verifyRollcallSignature(secret, `${body} `, header)).toBe(false);
    expect(verifyRollcallSignature('another_secret_0123456789', body, header)).toBe(false);
    expect(verifyRollcallSignature(secret, body, signatureHeader(secret, body, now - 301))).toBe(false);
    expect(verifyRollcallSignature(secret, body, 'garbage')).toBe(false);
  });
});

describe('parseTarget', () => {
  test.each([
    ['ftp://example.org/x', 'scheme'],
    ['file:///etc/passwd', 'scheme'],
    ['not a url', 'format'],
    ['https://user:pw@example.org/', 'credentials'],
  ])('%s → %s', (url, problem) => expect(parseTarget(url)).toMatchObject({ problem }));
  test('http and https are accepted', () => {
    expect(parseTarget('https://sis.example.org/hooks?x=1')).toBeInstanceOf(URL);
    expect(parseTarget('http://127.0.0.1:8080/')).toBeInstanceOf(URL);
  });
});

describe('webhook settings', () => {
  test('defaults: private targets refused, 10 s timeout, retries from 10 s for 24 h, polled every second', () => {
    expect(loadConfig({})).toMatchObject({ webhookAllowPrivate: false, webhookTimeoutMs: 10_000, webhookRetryBaseMs: 10_000, webhookRetryHours: 24, webhookPollMs: 1000 });
  });
  test.each([
    ['WEBHOOK_ALLOW_PRIVATE', 'sometimes'],
    ['WEBHOOK_TIMEOUT_MS', '0'],
    ['WEBHOOK_TIMEOUT_MS', '120000'],
    ['WEBHOOK_RETRY_BASE_MS', '5'],
    ['WEBHOOK_RETRY_HOURS', '0'],
    ['WEBHOOK_RETRY_HOURS', '1000'],
    ['WEBHOOK_POLL_MS', '1.5'],
  ])('an invalid %s=%s is refused with a message naming it', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`^${name}: `));
  });
});
