import { describe, expect, it } from 'vitest';
import { ConfigError, readInteger, readOptionalString } from '../../../functions/config/env.js';

const setting = { min: 1, max: 3650, default: 30 };

describe('readInteger', () => {
  it('returns the default when the variable is not set', () => {
    expect(readInteger({}, 'DAYS', setting)).toBe(30);
  });

  it.each([
    ['1', 1],
    ['3650', 3650],
    [' 45 ', 45],
  ])('accepts %j', (raw, value) => {
    expect(readInteger({ DAYS: raw }, 'DAYS', setting)).toBe(value);
  });

  it.each(['0', '-5', '3651', '1.5', '30d', 'thirty', '', '  ', '1e2', 'NaN', 'Infinity'])(
    'rejects %j with a message naming the variable and the range',
    (raw) => {
      const read = () => readInteger({ DAYS: raw }, 'DAYS', setting);
      expect(read).toThrow(ConfigError);
      expect(read).toThrow(
        `DAYS must be a whole number from 1 to 3650, got ${JSON.stringify(raw)}`,
      );
    },
  );

  it('reads an alias when only the alias is set', () => {
    expect(readInteger({ OLD_DAYS: '7' }, ['DAYS', 'OLD_DAYS'], setting)).toBe(7);
  });

  it('accepts both names set to the same value', () => {
    expect(readInteger({ DAYS: '7', OLD_DAYS: '7' }, ['DAYS', 'OLD_DAYS'], setting)).toBe(7);
  });

  it('rejects both names set to different values, naming both', () => {
    const read = () => readInteger({ DAYS: '7', OLD_DAYS: '14' }, ['DAYS', 'OLD_DAYS'], setting);
    expect(read).toThrow(/DAYS and OLD_DAYS are both set, to different values \("7" and "14"\)/);
    try {
      read();
    } catch (error) {
      expect((error as ConfigError).variable).toBe('DAYS, OLD_DAYS');
    }
  });

  it('validates the alias’s value too, naming the alias', () => {
    expect(() => readInteger({ OLD_DAYS: '0' }, ['DAYS', 'OLD_DAYS'], setting)).toThrow(
      'OLD_DAYS must be a whole number from 1 to 3650, got "0"',
    );
  });
});

describe('readOptionalString', () => {
  it('treats unset and blank as absent', () => {
    expect(readOptionalString({}, 'X')).toBeUndefined();
    expect(readOptionalString({ X: '  ' }, 'X')).toBeUndefined();
    expect(readOptionalString({ X: ' a ' }, 'X')).toBe('a');
  });
});
