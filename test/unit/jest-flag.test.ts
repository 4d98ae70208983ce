import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const root = resolve(__dirname, '../..');

test('jest started without --experimental-vm-modules (plain `npx jest`) stops and says what to run', () => {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  delete env.JEST_WORKER_ID;
  const run = spawnSync(process.execPath, ['node_modules/jest/bin/jest.js', 'test/unit/docs-links.test.ts'], {
    cwd: root,
    env,
    encoding: 'utf8',
  });
  expect(run.status).not.toBe(0);
  expect(run.stderr).toContain('--experimental-vm-modules');
  expect(run.stderr).toContain('npm run jest -- <test files>');
});
