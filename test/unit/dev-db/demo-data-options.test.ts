import { describe, expect, it } from 'vitest';
import { demoDataOptions } from '../../../dev-db/local-database.js';
import { ConfigError } from '../../../functions/config/env.js';

describe('demoDataOptions', () => {
  it('gives each device 5,000 location fixes by default', () => {
    expect(demoDataOptions({})).toEqual({ locationsPerDevice: 5_000 });
  });

  it('takes LOCAL_DEMO_LOCATIONS_PER_DEVICE, from 1 to 100,000', () => {
    expect(demoDataOptions({ LOCAL_DEMO_LOCATIONS_PER_DEVICE: '500' })).toEqual({
      locationsPerDevice: 500,
    });
    expect(demoDataOptions({ LOCAL_DEMO_LOCATIONS_PER_DEVICE: '1' }).locationsPerDevice).toBe(1);
    expect(demoDataOptions({ LOCAL_DEMO_LOCATIONS_PER_DEVICE: '100000' }).locationsPerDevice).toBe(
      100_000,
    );
  });

  it.each(['0', '100001', '-5', '2.5', 'many', ''])(
    'refuses %j, naming the variable and what it takes',
    (value) => {
      const read = () => demoDataOptions({ LOCAL_DEMO_LOCATIONS_PER_DEVICE: value });
      expect(read).toThrow(ConfigError);
      expect(read).toThrow(
        `LOCAL_DEMO_LOCATIONS_PER_DEVICE must be a whole number from 1 to 100000, got ${JSON.stringify(value)}`,
      );
    },
  );
});
