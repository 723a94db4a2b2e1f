/**
 * A PostgreSQL server of its own that speaks TLS with a certificate for 127.0.0.1, signed by a
 * throw-away certificate authority made for it (as Amazon's RDS CA signs an instance's): a
 * client that trusts that CA can connect with `rejectUnauthorized: true`, as the jobs do in
 * AWS. The certificates come from `openssl`.
 */
import { execFile } from 'node:child_process';
import { appendFile, chown, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { type PostgresServer, startPostgresServer } from '../../dev-db/postgres-server.js';
import { serverRunAs } from './child-server.js';

const run = promisify(execFile);

/** Whether `openssl` runs here: the certificates need it. */
export async function hasOpenssl(): Promise<boolean> {
  return run('openssl', ['version']).then(
    () => true,
    () => false,
  );
}

/** A running server with TLS. */
export interface TlsPostgres {
  /** The superuser's URL (contains the password; no `sslmode`). */
  readonly url: string;
  readonly port: number;
  /** The certificate authority (PEM) that signed the server's certificate. */
  readonly ca: string;
  /** Stops the server and deletes its folder and certificates. */
  stop(): Promise<void>;
}

/**
 * Makes a cluster, stops it, turns TLS on in its `postgresql.conf` with a key and certificate
 * made for 127.0.0.1, and starts it again: TLS is on from the first connection, with no reload
 * to wait for.
 */
export async function startTlsPostgres(): Promise<TlsPostgres> {
  const dir = await mkdtemp(path.join(tmpdir(), 'vitest-tls-postgres-'));
  let server: PostgresServer | undefined;
  try {
    const dataDir = path.join(dir, 'data');
    const ca = await makeCertificates(dir);
    const made = await startPostgresServer({ dataDir, persistent: true });
    await made.stop();
    const runAs = await serverRunAs();
    for (const name of ['server.crt', 'server.key']) {
      const target = path.join(dataDir, name);
      await writeFile(target, await readFile(path.join(dir, name)), { mode: 0o600 });
      if (runAs) await chown(target, runAs.uid, runAs.gid);
    }
    await appendFile(
      path.join(dataDir, 'postgresql.conf'),
      "\nssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\n",
    );
    server = await startPostgresServer({ dataDir, persistent: true });
    const started = server;
    return {
      url: started.url,
      port: started.port,
      ca,
      stop: async () => {
        await started.stop();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

/** A CA, and a server key and certificate for 127.0.0.1 it signed, in `dir`; returns the CA. */
async function makeCertificates(dir: string): Promise<string> {
  const file = (name: string) => path.join(dir, name);
  const key = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await run('openssl', [
    ...['req', '-x509', ...key, '-days', '2', '-subj', '/CN=test RDS CA'],
    ...['-keyout', file('ca.key'), '-out', file('ca.crt')],
  ]);
  await run('openssl', [
    ...['req', ...key, '-subj', '/CN=127.0.0.1'],
    ...['-keyout', file('server.key'), '-out', file('server.csr')],
  ]);
  await writeFile(file('san.ext'), 'subjectAltName = IP:127.0.0.1\n');
  await run('openssl', [
    ...['x509', '-req', '-in', file('server.csr'), '-days', '2'],
    ...['-CA', file('ca.crt'), '-CAkey', file('ca.key'), '-CAcreateserial'],
    ...['-extfile', file('san.ext'), '-out', file('server.crt')],
  ]);
  return readFile(file('ca.crt'), 'utf8');
}
