import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

// docker-compose.yml / Dockerfile sanity checks (no Docker engine needed).
const ROOT = path.resolve(__dirname, '..');
const read = (rel: string) => fs.readFileSync(path.join(ROOT, rel), 'utf8');

const parseYaml = (src: string): unknown => parse(src);

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Compose `environment` as a map or as a list of KEY=value. */
function envOf(service: Obj): Record<string, string> {
  const env = service.environment;
  if (Array.isArray(env)) {
    return Object.fromEntries(
      env.map((e) => {
        const s = String(e);
        const i = s.indexOf('=');
        return i < 0 ? [s, ''] : [s.slice(0, i), s.slice(i + 1)];
      }),
    );
  }
  return isObj(env) ? Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v == null ? '' : String(v)])) : {};
}

/** Host:container pairs of `ports`, short ("8080:8080", "127.0.0.1:8080:8080/tcp") or long syntax. */
function portsOf(service: Obj): Array<{ published: string; target: string }> {
  const ports = Array.isArray(service.ports) ? service.ports : [];
  return ports.map((p) => {
    if (isObj(p)) return { published: String(p.published ?? ''), target: String(p.target ?? '') };
    const parts = String(p).replace(/\/(tcp|udp)$/, '').split(':');
    return { published: parts.length > 1 ? parts[parts.length - 2] : '', target: parts[parts.length - 1] };
  });
}

/** Dockerfile instructions (continuation lines joined, comments dropped) of the last stage. */
function lastStage(dockerfile: string): Array<{ op: string; args: string }> {
  const joined = dockerfile
    .split('\n')
    .filter((l) => !/^\s*#/.test(l))
    .join('\n')
    .replace(/\\\n/g, ' ');
  const instr = joined
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => {
      const m = /^(\S+)\s*(.*)$/.exec(l)!;
      return { op: m[1].toUpperCase(), args: m[2] };
    });
  const from = instr.map((i) => i.op).lastIndexOf('FROM');
  return instr.slice(from);
}

describe('docker-compose.yml', () => {
  const compose = parseYaml(read('docker-compose.yml'));
  const services = (isObj(compose) && isObj(compose.services) ? compose.services : {}) as Obj;
  const db = (isObj(services.db) ? services.db : {}) as Obj;
  const app = (isObj(services.app) ? services.app : {}) as Obj;

  test('defines services db and app', () => {
    expect(isObj(services.db)).toBe(true);
    expect(isObj(services.app)).toBe(true);
  });

  test('db uses the pgvector image, a named volume and a pg_isready healthcheck', () => {
    expect(String(db.image)).toMatch(/pgvector/);
    const env = envOf(db);
    for (const k of ['POSTGRES_USER', 'POSTGRES_PASSWORD', 'POSTGRES_DB']) expect(env[k]).toBeTruthy();
    const hc = db.healthcheck;
    expect(isObj(hc)).toBe(true);
    const hcTest = (hc as Obj).test;
    expect(Array.isArray(hcTest) ? hcTest.join(' ') : String(hcTest)).toMatch(/pg_isready/);
    const named = isObj(compose) && isObj(compose.volumes) ? Object.keys(compose.volumes) : [];
    const vols = (Array.isArray(db.volumes) ? db.volumes : []).map((v) => (isObj(v) ? String(v.source) : String(v).split(':')[0]));
    expect(vols.some((v) => named.includes(v))).toBe(true);
  });

  test('app waits for a healthy db', () => {
    const dep = app.depends_on;
    expect(isObj(dep)).toBe(true);
    const onDb = (dep as Obj).db;
    expect(isObj(onDb) && onDb.condition).toBe('service_healthy');
  });

  test('app publishes port 8080', () => {
    expect(portsOf(app)).toContainEqual({ published: '8080', target: '8080' });
  });

  test('app environment points at the db service', () => {
    const env = envOf(app);
    const url = new URL(env.DATABASE_URL);
    expect(url.protocol).toMatch(/^postgres(ql)?:$/);
    expect(url.hostname).toBe('db');
    expect(env.MODELS_DIR).toBe('/app/models');
    expect(env.DATA_DIR).toBe('/app/data');
    expect(env.API_KEYS).toBe('${API_KEYS:-}');
  });

  test('app mounts ./models read-only at /app/models', () => {
    const vols = (Array.isArray(app.volumes) ? app.volumes : []).map(String);
    expect(vols).toContain('./models:/app/models:ro');
  });

  describe('app image', () => {
    const build = app.build;
    const context = isObj(build) ? String(build.context ?? '.') : String(build ?? '.');
    const dockerfileRel = path.join(context, isObj(build) && build.dockerfile ? String(build.dockerfile) : 'Dockerfile');

    test('is built from a Dockerfile in the repo', () => {
      expect(build).toBeDefined();
      expect(fs.existsSync(path.join(ROOT, dockerfileRel))).toBe(true);
    });

    test('runs as a non-root user and CMD serves', () => {
      const stage = lastStage(read(dockerfileRel));
      const users = stage.filter((i) => i.op === 'USER').map((i) => i.args.split(':')[0]);
      expect(users.length).toBeGreaterThan(0);
      expect(['root', '0']).not.toContain(users[users.length - 1]);
      const cmds = stage.filter((i) => i.op === 'CMD');
      expect(cmds.length).toBeGreaterThan(0);
      const cmd = cmds[cmds.length - 1].args;
      const argv: string[] = cmd.startsWith('[') ? JSON.parse(cmd) : cmd.split(/\s+/);
      expect(argv).toContain('serve');
      expect(stage.some((i) => i.op === 'EXPOSE' && /\b8080\b/.test(i.args))).toBe(true);
    });

    test('copies only paths that exist and starts the compiled CLI', () => {
      const stage = lastStage(read(dockerfileRel));
      for (const c of stage.filter((i) => i.op === 'COPY' && !/--from=/.test(i.args))) {
        const srcs = c.args.split(/\s+/).filter((a) => !a.startsWith('--')).slice(0, -1);
        for (const s of srcs) expect([s, fs.existsSync(path.join(ROOT, context, s))]).toEqual([s, true]);
      }
      const pkg = JSON.parse(read('package.json')) as { bin?: Record<string, string> };
      expect(pkg.bin?.rollcall).toBe('dist/src/cli/main.js');
    });

    test('.dockerignore keeps node_modules, dist, data, models and .git out of the context', () => {
      const ignore = read('.dockerignore').split('\n').map((l) => l.trim());
      for (const p of ['node_modules', 'dist', 'data', 'models/*.onnx', '.git']) expect(ignore).toContain(p);
    });
  });
});
