/**
 * A TCP proxy between a client and a real PostgreSQL server that can cut the connection at the
 * worst moment: after the server has answered a `COMMIT` (so the transaction committed), before
 * the answer reaches the client. What a network fault or a Lambda frozen mid-request does.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

/** A running proxy. */
export interface FaultProxy {
  /** `url` with its host and port replaced by the proxy's. */
  readonly url: string;
  /**
   * The next `COMMIT` a client sends is forwarded; the server's answer is dropped and both
   * sides of that connection are closed.
   */
  cutNextCommit(): void;
  /** How many `COMMIT` answers were dropped so far. */
  readonly commitsCut: number;
  /** Stops listening and closes every connection. */
  close(): Promise<void>;
}

/** A simple-protocol Query message carrying `COMMIT`. */
const commitQuery = Buffer.from('COMMIT\u0000');

/** Starts a proxy in front of the server of `url` (a `postgres://` URL). */
export async function startFaultProxy(url: string): Promise<FaultProxy> {
  const target = new URL(url);
  const sockets = new Set<Socket>();
  let armed = false;
  let commitsCut = 0;
  const server: Server = createServer((client) => {
    const upstream = connect(Number(target.port), target.hostname);
    sockets.add(client).add(upstream);
    let dropAnswer = false;
    client.on('data', (chunk) => {
      if (armed && chunk.includes(commitQuery)) {
        armed = false;
        dropAnswer = true;
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      if (!dropAnswer) {
        client.write(chunk);
        return;
      }
      commitsCut += 1;
      client.destroy();
      upstream.destroy();
    });
    const close = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('close', close).on('error', close);
    upstream.on('close', close).on('error', close);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const proxied = new URL(url);
  proxied.hostname = '127.0.0.1';
  proxied.port = String(typeof address === 'object' && address ? address.port : 0);
  return {
    url: proxied.toString(),
    cutNextCommit: () => {
      armed = true;
    },
    get commitsCut() {
      return commitsCut;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
