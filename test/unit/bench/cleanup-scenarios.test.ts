import { describe, expect, it } from 'vitest';
import { readScenarios, scenarioName } from '../../../bench/cleanup/scenarios.js';

const names = (flags: string[]) =>
  readScenarios(flags).map((scenario) => `${scenarioName(scenario)}/${scenario.order}`);

describe('the cleanup bench scenarios', () => {
  it('runs every index kind with both layouts by default, the b-tree backlog in each order', () => {
    // Act
    const chosen = names([]);

    // Assess
    expect(chosen).toEqual([
      'btree-backlog/sequential',
      'btree-backlog/random',
      'btree-backlog/mixed',
      'btree-steady/mixed',
      'brin-backlog/sequential',
      'brin-steady/sequential',
      'composite-backlog/mixed',
      'composite-steady/mixed',
    ]);
  });

  it('picks scenarios by name, by layout or by index kind', () => {
    // Act & Assess
    expect(names(['--scenario', 'brin-steady,composite-backlog'])).toEqual([
      'brin-steady/sequential',
      'composite-backlog/mixed',
    ]);
    expect(names(['--scenario', 'steady'])).toEqual([
      'btree-steady/mixed',
      'brin-steady/sequential',
      'composite-steady/mixed',
    ]);
    expect(names(['--scenario', 'brin', '--rows', '2000000'])).toEqual([
      'brin-backlog/sequential',
      'brin-steady/sequential',
    ]);
  });

  it('applies --order to the b-tree backlog only', () => {
    // Act
    const chosen = names(['--order', 'random', '--scenario', 'backlog']);

    // Assess
    expect(chosen).toEqual([
      'btree-backlog/random',
      'brin-backlog/sequential',
      'composite-backlog/mixed',
    ]);
  });

  it('refuses an unknown or empty list, naming what it takes', () => {
    // Act & Assess
    expect(() => readScenarios(['--scenario', 'brin-hourly'])).toThrow(
      /--scenario takes a comma-separated list of btree-backlog, btree-steady, brin-backlog/,
    );
    expect(() => readScenarios(['--scenario'])).toThrow(/--scenario takes/);
    expect(() => readScenarios(['--order', 'reverse'])).toThrow(/--order takes/);
  });
});
