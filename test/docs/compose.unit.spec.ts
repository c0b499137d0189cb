/**
 * docker-compose.yml and the Dockerfile (docs/stores.md "What was checked here"): no Docker
 * daemon runs here, so what can be read from the files is checked on every run: every published
 * port defaults to 127.0.0.1, no password is written in them, EventStoreDB is under its profile,
 * the app defaults to the compose PostgreSQL, the data directory is a volume, and .env stays out
 * of git and of the image.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');
const compose = read('docker-compose.yml');
const lines = compose.split('\n').filter((l) => !l.trim().startsWith('#'));

/** The services' blocks, by name (two-space indented keys under `services:`). */
function services(): Record<string, string> {
  const out: Record<string, string> = {};
  const body = compose.slice(compose.indexOf('\nservices:\n') + 1, compose.indexOf('\nvolumes:\n'));
  let current = '';
  for (const line of body.split('\n')) {
    const m = /^ {2}([a-z-]+):\s*$/.exec(line);
    if (m) current = m[1];
    else if (current) out[current] = `${out[current] ?? ''}${line}\n`;
  }
  return out;
}

describe('docker-compose.yml', () => {
  it('has the app, PostgreSQL and EventStoreDB', () => {
    expect(Object.keys(services()).sort()).toEqual(['app', 'eventstore', 'postgres']);
  });

  it('publishes every port on 127.0.0.1 unless configured', () => {
    const ports = lines.filter((l) => /^\s+- "[^"]*:\d+"$/.test(l)).map((l) => l.trim());
    expect(ports).toHaveLength(3);
    for (const port of ports) expect(port).toMatch(/^- "\$\{SRO_[A-Z_]*BIND:-127\.0\.0\.1\}:/);
  });

  it('writes no password: they come from .env', () => {
    for (const line of lines.filter((l) => /PASSWORD/.test(l))) expect(line).toMatch(/PASSWORD: \$\{SRO_DB_PASSWORD:\?/);
    expect(compose).not.toMatch(/postgres(ql)?:\/\/[^@\s]*:[^@\s]*@/); // no user:password@ in a URL
    const example = read('compose.env.example');
    expect(example).toMatch(/^SRO_DB_PASSWORD=$/m);
    expect(read('.gitignore').split('\n')).toContain('.env');
    expect(read('.dockerignore').split('\n')).toContain('.env');
  });

  it('runs EventStoreDB only under its profile, and the app on PostgreSQL by default', () => {
    const s = services();
    expect(s.eventstore).toMatch(/^ {4}profiles: \["eventstore"\]$/m);
    expect(s.postgres).not.toMatch(/profiles:/);
    expect(s.app).toMatch(/SRO_STORE: \$\{SRO_STORE:-postgres:\/\/sro@postgres:5432\/sro\}/);
    expect(s.app).toMatch(/condition: service_healthy/);
    expect(s.app).toMatch(/- app-data:\/app\/data/);
    expect(s.app).toMatch(/api\/health\/ready/);
  });
});

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');
  it('declares the data directory a volume, owned by the user the server runs as', () => {
    expect(dockerfile).toMatch(/^VOLUME \["\/app\/data"\]$/m);
    expect(dockerfile.indexOf('USER node')).toBeLessThan(dockerfile.indexOf('VOLUME'));
    expect(dockerfile).toMatch(/chown node:node \/app\/data/);
  });
  it('checks readiness', () => {
    expect(dockerfile).toMatch(/HEALTHCHECK[\s\S]*\/api\/health\/ready/);
  });
});
