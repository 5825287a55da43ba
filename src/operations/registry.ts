/** Every operation the planner knows, keyed by kind. */
import type { OperationKind } from './types.js';
import type { OperationPlanner } from './operation.js';
import { addColumn } from './add-column.js';
import { addIndex } from './add-index.js';
import { addCheck } from './add-check.js';
import { addForeignKey } from './add-foreign-key.js';
import { addUnique } from './add-unique.js';
import { setNotNull } from './set-not-null.js';

export const operations = { addColumn, addIndex, addCheck, addForeignKey, addUnique, setNotNull } satisfies { [K in OperationKind]: OperationPlanner<K> };
