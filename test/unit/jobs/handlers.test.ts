import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { catalogue, handlerEntry } from '../../../functions/catalogue/index.js';

describe('the job handlers', () => {
  it.each(catalogue.map((job) => job.name))('%s exports a Lambda handler', async (name) => {
    // Act
    const module = (await import(pathToFileURL(handlerEntry(name)).href)) as {
      handler?: unknown;
    };

    // Assess
    expect(module.handler).toBeTypeOf('function');
  });
});
