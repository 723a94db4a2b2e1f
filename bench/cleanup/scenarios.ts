/**
 * The cleanup benchmark's scenarios: which index finds the expired rows, what is expired, and
 * how the rows lie on disk; and the `--scenario` and `--order` flags that choose among them.
 */
import { type IndexKind, indexKinds } from './index-kind.js';
import { type Layout, type PhysicalOrder, physicalOrders } from './load.js';

/** One table to clean: the index on `created_at`, what is expired, and the rows' order. */
export interface Scenario {
  readonly index: IndexKind;
  readonly layout: Layout;
  readonly order: PhysicalOrder;
}

const layouts: readonly Layout[] = ['backlog', 'steady'];

/**
 * Every scenario, in the order they run. The b-tree backlog runs in each of `orders`; the
 * others have one order each:
 * - the b-tree steady run and both composite scenarios in `mixed` order (old and new rows share
 *   pages, as months of deletes and reused space leave a table);
 * - both BRIN scenarios in `sequential` order: BRIN is the index of an append-only table whose
 *   rows lie in time order (in any other order each block range spans every date, and the
 *   index finds nothing).
 */
export function allScenarios(orders: readonly PhysicalOrder[] = physicalOrders): Scenario[] {
  return indexKinds.flatMap((index) =>
    layouts.flatMap((layout): Scenario[] => {
      if (index === 'brin') return [{ index, layout, order: 'sequential' }];
      if (index === 'btree' && layout === 'backlog') {
        return orders.map((order) => ({ index, layout, order }));
      }
      return [{ index, layout, order: 'mixed' }];
    }),
  );
}

/** The scenario's name for `--scenario`: `<index>-<layout>`, e.g. `brin-steady`. */
export function scenarioName(scenario: Pick<Scenario, 'index' | 'layout'>): string {
  return `${scenario.index}-${scenario.layout}`;
}

/** What `--scenario` accepts: `<index>-<layout>`, a layout alone, or an index kind alone. */
export const scenarioChoices: readonly string[] = [
  ...indexKinds.flatMap((index) => layouts.map((layout) => scenarioName({ index, layout }))),
  ...layouts,
  ...indexKinds,
];

/**
 * The scenarios chosen by `flags`:
 * - `--scenario LIST` (comma-separated): `btree-backlog`, `brin-steady`, ...; a layout alone
 *   (`backlog`, `steady`) means it on every index kind, an index kind alone (`btree`, `brin`,
 *   `composite`) both its layouts;
 * - `--order LIST`: the physical orders of the b-tree backlog (`sequential,random,mixed`).
 *
 * @default - every scenario, the b-tree backlog in every order
 * @throws Error naming the accepted values, for an empty list or an unknown value
 */
export function readScenarios(flags: readonly string[]): Scenario[] {
  const orders = readList(flags, '--order', physicalOrders) as PhysicalOrder[];
  const chosen = readList(flags, '--scenario', scenarioChoices);
  return allScenarios(orders).filter((scenario) =>
    chosen.some(
      (choice) =>
        choice === scenarioName(scenario) ||
        choice === scenario.layout ||
        choice === scenario.index,
    ),
  );
}

function readList(flags: readonly string[], name: string, allowed: readonly string[]): string[] {
  const at = flags.indexOf(name);
  if (at === -1) return [...allowed];
  const values = (flags[at + 1] ?? '').split(',').filter(Boolean);
  const unknown = values.filter((value) => !allowed.includes(value));
  if (values.length === 0 || unknown.length > 0) {
    throw new Error(`${name} takes a comma-separated list of ${allowed.join(', ')}`);
  }
  return values;
}
