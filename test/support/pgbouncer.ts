/**
 * A real PgBouncer in transaction pooling mode in front of the test server, with the package's
 * shipped settings otherwise (no `ignore_startup_parameters`, no `track_extra_parameters`), as
 * a backend would run it. Debian's `pgbouncer` package; it refuses to run as root, so it runs
 * as the `postgres` OS user when the tests are root.
 */
import { accessSync, constants } from 'node:fs';
import { chmod, chown, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '../../dev-db/free-port.js';
import { type ChildServer, serverRunAs, startChildServer } from './child-server.js';

/** How to get PgBouncer where it is missing (what `.ci/run` does). */
export const installPgBouncer = 'apt-get update && apt-get install -y pgbouncer';

/** The `pgbouncer` binary on the PATH or in /usr/sbin, or `undefined` when not installed. */
export function findPgBouncer(): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter), '/usr/sbin', '/usr/local/sbin'];
  for (const dir of dirs.filter(Boolean)) {
    const candidate = path.join(dir, 'pgbouncer');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here.
    }
  }
  return undefined;
}

/** Options of {@link startPgBouncer}. */
export interface PgBouncerOptions {
  /**
   * Settings added to `[pgbouncer]`, e.g. `{ default_pool_size: '1' }`.
   * @default - none: the shipped defaults
   */
  readonly settings?: Readonly<Record<string, string>>;
}

/** A running PgBouncer. */
export interface PgBouncer {
  /** The port it listens on (127.0.0.1). */
  readonly port: number;
  /** `serverUrl` (a URL of the test server, any database) made to go through this PgBouncer. */
  url(serverUrl: string): string;
  stop(): Promise<void>;
}

/**
 * Starts PgBouncer on a free port, pooling every database of the server `serverUrl` points at
 * (`* = host=... port=...`), authenticating the URL's user with scram-sha-256 against an
 * `auth_file` that holds its password (which PgBouncer also uses to log in to the server).
 */
export async function startPgBouncer(
  serverUrl: string,
  options: PgBouncerOptions = {},
): Promise<PgBouncer> {
  const binary = findPgBouncer();
  if (!binary) throw new Error(`pgbouncer is not installed: ${installPgBouncer}`);
  const server = new URL(serverUrl);
  const user = decodeURIComponent(server.username);
  const password = decodeURIComponent(server.password);
  const dir = await mkdtemp(path.join(tmpdir(), 'vitest-pgbouncer-'));
  const port = await freePort();
  const settings: Record<string, string> = {
    listen_addr: '127.0.0.1',
    listen_port: String(port),
    unix_socket_dir: '',
    auth_type: 'scram-sha-256',
    auth_file: path.join(dir, 'userlist.txt'),
    pool_mode: 'transaction',
    ...options.settings,
  };
  const ini = [
    '[databases]',
    `* = host=${server.hostname} port=${server.port}`,
    '',
    '[pgbouncer]',
    ...Object.entries(settings).map(([name, value]) => `${name} = ${value}`),
    '',
  ].join('\n');
  await writeFile(path.join(dir, 'pgbouncer.ini'), ini, { mode: 0o600 });
  await writeFile(settings.auth_file as string, `${quote(user)} ${quote(password)}\n`, {
    mode: 0o600,
  });
  const runAs = await serverRunAs();
  if (runAs) {
    for (const file of [dir, path.join(dir, 'pgbouncer.ini'), settings.auth_file as string]) {
      await chown(file, runAs.uid, runAs.gid);
    }
    await chmod(dir, 0o700);
  }
  let child: ChildServer;
  try {
    child = await startChildServer({
      command: binary,
      args: [path.join(dir, 'pgbouncer.ini')],
      cwd: dir,
      readyLine: 'process up',
    });
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    port,
    url: (target) => {
      const through = new URL(target);
      through.hostname = '127.0.0.1';
      through.port = String(port);
      return through.toString();
    },
    stop: async () => {
      await child.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A userlist.txt field: double-quoted, with `"` doubled. */
function quote(value: string): string {
  return `"${value.replaceAll('"', '""')}"`;
}
