import { createJobHandler } from '../../lambda/create-handler.js';
import { locationCleanup } from './location-cleanup.js';

export const handler = createJobHandler('location-cleanup', locationCleanup);
