import { createJobHandler } from '../../lambda/create-handler.js';
import { idempotencyKeyPurge } from './idempotency-key-purge.js';

export const handler = createJobHandler('idempotency-key-purge', idempotencyKeyPurge);
