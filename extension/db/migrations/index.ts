/** All schema versions, oldest first. Append a new file per version; never edit a released one. */
import { migration0001 } from './0001-initial';
import { migration0002 } from './0002-counters';
import { migration0003 } from './0003-search';
import { migration0004 } from './0004-unsaved-threads';
import { migration0005 } from './0005-visit-chunks';
import { migration0006 } from './0006-sync';
import { migration0007 } from './0007-visit-terms';
import type { Migration } from './types';

export const migrations: readonly Migration[] = [migration0001, migration0002, migration0003, migration0004, migration0005, migration0006, migration0007];

export const LATEST_VERSION = migrations[migrations.length - 1]!.version;
export type { Migration } from './types';
