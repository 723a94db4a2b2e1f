/**
 * A structured setting given either as a value (CDK context from cdk.json) or as its JSON
 * text (`-c key='{"...": ...}'`), before its shape is checked.
 *
 * @param example - the expected form, for the message, e.g. `{"<job>": "<zone>"}`.
 * @returns `undefined` when the setting is absent or empty.
 * @throws {TypeError} `must be JSON: <example>` for text that is not JSON.
 */
export function jsonSetting(raw: unknown, example: string): unknown {
  if (raw === undefined || raw === '') return undefined;
  if (typeof raw !== 'string') return raw;
  try {
    return JSON.parse(raw);
  } catch {
    throw new TypeError(`must be JSON: ${example}`);
  }
}
