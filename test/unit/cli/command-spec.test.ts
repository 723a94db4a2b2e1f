import { describe, expect, it } from 'vitest';
import { commandsTable, optionsTable } from '../../../cli/cli-reference.js';
import { synopsis, usage } from '../../../cli/cli-usage.js';
import {
  type CommandName,
  commandNames,
  commandsOf,
  type FlagSpec,
  flagNames,
  flags,
  flagsOf,
} from '../../../cli/command-spec.js';

/** The Markdown table's rows, split into cells (the header and its rule left out). */
function rows(table: string): string[][] {
  return table
    .split('\n')
    .slice(2)
    .map((line) =>
      line
        .slice(2, -2)
        .split(' | ')
        .map((cell) => cell.trim()),
    );
}

describe('the command spec', () => {
  it('gives every integer flag bounds that hold its default', () => {
    for (const flag of flagNames) {
      const spec: FlagSpec = flags[flag];
      if (spec.type !== 'integer') continue;
      expect({ flag, min: spec.min, max: spec.max }).toEqual({
        flag,
        min: expect.any(Number),
        max: expect.any(Number),
      });
      expect(spec.default).toBeGreaterThanOrEqual(spec.min ?? 0);
      expect(spec.default).toBeLessThanOrEqual(spec.max ?? 0);
    }
  });

  it('has no flag that no command takes', () => {
    expect(flagNames.filter((flag) => commandsOf(flag).length === 0)).toEqual([]);
  });
});

describe('the usage text (--help)', () => {
  it.each(commandNames)('shows the command %s', (command) => {
    expect(usage).toContain(`npm run jobs -- ${synopsis(command)}`);
  });

  it.each(flagNames)('shows the flag --%s', (flag) => {
    expect(usage).toMatch(new RegExp(`^ {2}(-\\w, )?--${flag}\\b`, 'm'));
  });

  it('keeps within 100 columns', () => {
    expect(usage.split('\n').filter((line) => line.length > 100)).toEqual([]);
  });
});

describe('the reference tables', () => {
  it('list every command once, with exactly the options it takes', () => {
    const table = rows(commandsTable());
    expect(table.map(([command]) => command?.match(/^`(\w+)/)?.[1])).toEqual(commandNames);
    for (const [cell, options] of table) {
      const command = cell?.match(/^`(\w+)/)?.[1] as CommandName;
      const expected = flagsOf(command).filter((flag) => flag !== 'help');
      expect(options === '-' ? [] : options?.split(', ')).toEqual(
        expected.map((flag) => `\`--${flag}\``),
      );
    }
  });

  it('list every flag once, with the commands that take it', () => {
    const table = rows(optionsTable());
    expect(table.map(([option]) => option?.match(/`--([\w-]+)/)?.[1])).toEqual(flagNames);
    for (const [option, commands] of table) {
      const flag = option?.match(/`--([\w-]+)/)?.[1] as (typeof flagNames)[number];
      const spec: FlagSpec = flags[flag];
      if (spec.commands === 'all') expect(commands).toBe('any');
      else if (spec.group === 'aws' && flag !== 'aws') expect(commands).toBe('with `--aws`');
      else expect(commands).toContain(commandsOf(flag).join(', '));
    }
  });
});
