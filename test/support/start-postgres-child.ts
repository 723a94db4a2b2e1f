/**
 * Run as a separate Node process (`node --import tsx start-postgres-child.ts <dataDir>`):
 * starts a server on `<dataDir>`, prints `{"port": ...}` as one line, and keeps running
 * until it is killed, so that a test can kill it with SIGKILL and leave the server behind.
 */
import { startPostgresServer } from '../../dev-db/postgres-server.js';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: start-postgres-child.ts <dataDir>');
// A hang guard (start-up usually takes under a second): generous, for a busy machine.
const server = await startPostgresServer({ dataDir, startTimeoutMs: 300_000 });
process.stdout.write(`${JSON.stringify({ port: server.port })}\n`);
// The server's child process keeps this one alive until it is killed.
