/**
 * The part of zod's `z` namespace the functions use, for the bundles only (esbuild `alias`).
 *
 * `import { z } from 'zod'` (Powertools Parser's schemas do this) makes esbuild keep the whole
 * namespace, all 50 locales included: 440 KB of a 580 KB bundle. A `z` built from named
 * imports lets esbuild drop the rest. Tests and the local harness use zod as it is.
 */
import {
  array,
  boolean,
  coerce,
  iso,
  literal,
  object,
  strictObject,
  string,
  unknown,
} from '../../node_modules/zod/v4/classic/external.js';

export const z = { array, boolean, coerce, iso, literal, object, strictObject, string, unknown };
