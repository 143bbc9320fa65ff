/**
 * Every closed set of values, in one place. The database, the protocol, bundles and the UI all
 * import these; no enums, no string literals sprinkled elsewhere.
 */
export const TASK_STATUSES = ['pending', 'in_progress', 'blocked', 'completed', 'failed', 'cancelled'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

export const TASK_PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export type TaskPriority = (typeof TASK_PRIORITIES)[number];

export const TASK_EVENT_TYPES = ['created', 'status_changed', 'edited'] as const;
export type TaskEventType = (typeof TASK_EVENT_TYPES)[number];

export const JOB_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];
export const ACTIVE_JOB_STATUSES = ['queued', 'running'] as const satisfies readonly JobStatus[];

export const JOB_TYPES = [
  'history_import',
  'bundle_export',
  'bundle_import',
  'patch_apply',
  'patch_revert',
  'check_run',
  'page_refresh',
  'index_rebuild',
  'index_verify',
  'index_compact',
  'embed',
  'prune',
  'privacy_delete',
  'visits_migrate',
  'sync',
] as const;
export type JobType = (typeof JOB_TYPES)[number];

export const MEMORY_SCOPES = ['global', 'user', 'thread', 'doc'] as const;
export type MemoryScope = (typeof MEMORY_SCOPES)[number];

export const MESSAGE_ROLES = ['user', 'assistant', 'system', 'note'] as const;
export type MessageRole = (typeof MESSAGE_ROLES)[number];

export const MESSAGE_STATUSES = ['complete', 'streaming', 'stopped', 'error'] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

/** Chromium page-transition core types, lowercase, indexed by their numeric value. */
export const TRANSITIONS = [
  'link',
  'typed',
  'auto_bookmark',
  'auto_subframe',
  'manual_subframe',
  'generated',
  'auto_toplevel',
  'form_submit',
  'reload',
  'keyword',
  'keyword_generated',
] as const;
export type Transition = (typeof TRANSITIONS)[number];

export const BROWSER_KINDS = ['chrome', 'chromium', 'edge', 'brave', 'vivaldi'] as const;
export type BrowserKind = (typeof BROWSER_KINDS)[number];

/** Where a visit came from: live capture, a browser's history file, or another import. */
export const VISIT_SOURCES = ['live', ...BROWSER_KINDS, 'firefox', 'takeout', 'bundle', 'import'] as const;
export type VisitSource = (typeof VISIT_SOURCES)[number];
