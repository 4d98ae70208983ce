import readline from 'node:readline';
import { parseArgs } from 'node:util';
import type { Command } from './commands';
import { UsageError, table, withServices } from './open-services';
import { CLI_ACTOR, newUserOf } from '../services/users';

/** The first line of stdin when it is piped; a prompt that does not echo when it is a terminal. */
async function readPassword(prompt: string): Promise<string> {
  if (!process.stdin.isTTY) {
    let all = '';
    for await (const chunk of process.stdin) all += String(chunk);
    return all.split(/\r?\n/)[0];
  }
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  process.stderr.write(prompt);
  // Swallow the typed characters instead of echoing them.
  (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = () => undefined;
  const answer = await new Promise<string>((resolve) => rl.question('', resolve));
  rl.close();
  process.stderr.write('\n');
  return answer;
}

const USAGE = 'use: users create <email> --role admin|teacher [--name "Full Name"] | users list | users disable <email> | users reset-password <email> (passwords from stdin or a prompt)';

/** rollcall users create|list|disable|reset-password */
export const users: Command['run'] = async (argv, { config }) => {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { role: { type: 'string' }, name: { type: 'string' } } });
  const [sub, email, ...extra] = positionals;
  if (extra.length > 0 || (sub !== 'list' && !email) || (sub === 'list' && email)) throw new UsageError(USAGE);
  if (sub === 'create') {
    const password = await readPassword(`password for ${email}: `);
    const u = newUserOf({ email, name: values.name ?? email.split('@')[0], role: values.role, password });
    return withServices(config, async (s) => {
      const row = await s.users.create(u, CLI_ACTOR);
      process.stdout.write(`created ${row.role} ${row.email} id ${row.id}\n`);
      return 0;
    });
  }
  if (sub === 'list') {
    return withServices(config, async (s) => {
      const list = await s.users.list();
      const rows = list.map((u) => [u.email, u.name, u.role, u.disabled ? 'disabled' : 'active', u.classes?.map((c) => c.code).join(',') || '-', u.last_sign_in_at?.toISOString() ?? '-']);
      process.stdout.write(table([['email', 'name', 'role', 'state', 'classes', 'last sign-in'], ...rows]));
      return 0;
    });
  }
  if (sub === 'disable') {
    return withServices(config, async (s) => {
      const u = await s.users.update((await s.users.byEmail(email)).id, { disabled: true }, CLI_ACTOR);
      process.stdout.write(`disabled ${u.email}: signed out everywhere, keys refused\n`);
      return 0;
    });
  }
  if (sub === 'reset-password') {
    const password = await readPassword(`new password for ${email}: `);
    return withServices(config, async (s) => {
      const u = await s.users.update((await s.users.byEmail(email)).id, { password }, CLI_ACTOR);
      process.stdout.write(`reset the password of ${u.email}: to be changed at the next sign-in\n`);
      return 0;
    });
  }
  throw new UsageError(USAGE);
};
