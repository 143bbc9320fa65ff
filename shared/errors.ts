/**
 * The one table of stable error codes, shared by the extension, the native host and the CLI.
 * Append-only: a code, once released, keeps its meaning and its number forever. Each capability
 * owns a numeric range; add new codes at the end of your capability's block.
 * docs/protocol.md mirrors this table (a unit test keeps them equal).
 */
export const ERRORS = {
  // 1xx — framing and protocol (foundation)
  FRAME_TOO_LARGE: { n: 100, message: 'Frame length exceeds the 64 MiB limit' },
  INVALID_FRAME: { n: 101, message: 'Frame is empty or its length prefix is garbage' },
  INVALID_JSON: { n: 102, message: 'Frame payload is not valid UTF-8 JSON' },
  INVALID_REQUEST: { n: 103, message: 'Request envelope is not {id, method, params}' },
  UNKNOWN_METHOD: { n: 104, message: 'No such method' },
  INVALID_PARAMS: { n: 105, message: 'Parameters fail the method schema' },
  INCOMPATIBLE_PROTOCOL: { n: 106, message: 'Host and extension speak different protocol versions' },
  INTERNAL_ERROR: { n: 107, message: 'Unexpected failure inside the host or background' },
  CANCELLED: { n: 108, message: 'The operation was cancelled' },
  HOST_NOT_INSTALLED: { n: 109, message: 'The native host is not installed for this browser' },
  HOST_DISCONNECTED: { n: 110, message: 'The native host disconnected' },
  HOST_TIMEOUT: { n: 111, message: 'The native host did not answer in time' },
  INVALID_RESULT: { n: 112, message: 'A reply failed its result schema' },
  UNKNOWN_COMMAND: { n: 113, message: 'No such background command' },
  INVALID_COMMAND: { n: 114, message: 'Command parameters fail the schema' },
  NOT_FOUND: { n: 115, message: 'No such item' },
  USAGE: { n: 116, message: 'Command-line usage error' },
  CONFIG_INVALID: { n: 117, message: 'Host configuration file is invalid' },
  IO_ERROR: { n: 118, message: 'File system operation failed' },
  QUOTA_EXCEEDED: { n: 119, message: 'Browser storage quota exceeded or the disk is full' },
  FRAME_TRUNCATED: { n: 120, message: 'A frame stopped arriving before its declared length; its bytes were discarded' },
  COMMAND_FORBIDDEN: { n: 121, message: 'This background command is not open to the context that sent it (only our own extension pages may call it)' },
  DATABASE_CONNECTION_LOST: { n: 122, message: 'The browser closed the database connection twice in a row; try again' },
  DATABASE_RESET: { n: 123, message: 'The database was deleted under a running job (the browser deletes it when it cannot read its files after a storage error such as a full disk, or everything was wiped): the job stopped' },
  // 2xx — threads, chat, tasks, memories
  THREAD_NOT_FOUND: { n: 200, message: 'No such thread' },
  MESSAGE_NOT_FOUND: { n: 201, message: 'No such message' },
  TASK_NOT_FOUND: { n: 202, message: 'No such task' },
  MEMORY_NOT_FOUND: { n: 203, message: 'No such memory' },
  MODEL_NOT_CONFIGURED: { n: 204, message: 'No model endpoint is configured; the thread works as notes' },
  MODEL_UNAUTHORIZED: { n: 205, message: 'The model endpoint refused the API key' },
  MODEL_UNREACHABLE: { n: 206, message: 'The model endpoint cannot be reached' },
  MODEL_HTTP_ERROR: { n: 207, message: 'The model endpoint answered with an error' },
  MODEL_BAD_RESPONSE: { n: 208, message: 'The model endpoint sent a reply that cannot be read' },
  CAPTURE_REFUSED: { n: 209, message: 'This tab is not captured (incognito, blocked domain or not a web page)' },
  PAGE_NOT_READABLE: { n: 210, message: 'No readable text could be extracted from the page' },
  DOMAIN_INVALID: { n: 211, message: 'Not a valid domain name' },
  ALREADY_STREAMING: { n: 212, message: 'A reply is already streaming in this thread' },
  CONTEXT_TOO_LARGE: { n: 213, message: "The question alone does not fit the model's context window" },
  // 3xx — history import
  HISTORY_FILE_NOT_FOUND: { n: 300, message: 'The history file does not exist or cannot be read' },
  HISTORY_NOT_A_DATABASE: { n: 301, message: 'The file is not a Chromium History, Firefox places.sqlite or Takeout BrowserHistory.json' },
  HISTORY_FILE_CORRUPT: { n: 302, message: 'The history file is damaged and cannot be read' },
  HISTORY_PROFILE_NOT_FOUND: { n: 303, message: 'No such browser profile' },
  HISTORY_UPLOAD_NOT_FOUND: { n: 304, message: 'No history file with this id was handed to this host process (it restarted since): pick the file again' },
  HISTORY_READER_UNAVAILABLE: { n: 305, message: 'better-sqlite3 (the History file reader) could not be loaded on this machine' },
  // 4xx — bundles
  BUNDLE_NOT_ZIP: { n: 400, message: 'The file is not a HydraFlow bundle (not a zip archive)' },
  BUNDLE_TRUNCATED: { n: 401, message: 'The bundle is truncated (its zip directory or an entry is cut off)' },
  BUNDLE_MANIFEST_MISSING: { n: 402, message: 'The bundle has no bundle.json manifest' },
  BUNDLE_MANIFEST_INVALID: { n: 403, message: 'The bundle manifest is not valid JSON or fails its schema' },
  BUNDLE_WRONG_FORMAT: { n: 404, message: 'The file is a zip, but not a HydraFlow bundle (wrong format name)' },
  BUNDLE_VERSION_UNSUPPORTED: { n: 405, message: 'The bundle was written by a newer HydraFlow; update HydraFlow to read it' },
  BUNDLE_COMPONENT_MISSING: { n: 406, message: 'A component listed in the manifest is missing from the bundle' },
  BUNDLE_HASH_MISMATCH: { n: 407, message: 'A component does not match its SHA-256 in the manifest (damaged or tampered)' },
  BUNDLE_COUNT_MISMATCH: { n: 408, message: 'A component does not hold the row count its manifest declares' },
  BUNDLE_ROW_INVALID: { n: 409, message: 'A bundle row is not valid JSON or fails its schema' },
  BUNDLE_DUPLICATE_ID: { n: 410, message: 'Two rows of one component have the same id' },
  BUNDLE_TOO_LARGE: { n: 411, message: 'A bundle entry declares a size over the limit' },
  BUNDLE_UNSAFE_ENTRY: { n: 412, message: 'The bundle holds an entry with an unsafe or unexpected name (absolute, .., duplicate or unknown)' },
  BUNDLE_CORRUPT: { n: 413, message: 'The bundle is damaged (bad compressed data, unsupported compression or encryption)' },
  BUNDLE_FOREIGN_UNRECOGNIZED: { n: 414, message: 'The file is neither a HydraFlow bundle nor a recognized export of another tool' },
  BUNDLE_FILE_EXISTS: { n: 415, message: 'A file already exists at the bundle output path' },
  BUNDLE_FILE_NOT_FOUND: { n: 416, message: 'The bundle file does not exist or cannot be read' },
  FOLDER_NOT_ALLOWED: { n: 417, message: 'No such folder: the host reads and writes only its bundle folder and the folders allowed with `hydraflow-host folders add`' },
  FILE_NAME_INVALID: { n: 418, message: 'Not a plain file name (separators, "..", a leading dot, ":", control characters, or over 255 bytes)' },
  FILE_NOT_REGULAR: { n: 419, message: 'The name is a symbolic link, a folder, a device or a FIFO, not a regular file' },
  FOLDER_REFUSED: { n: 420, message: 'This folder cannot be allowed (it does not exist, is not a folder, or is or lies inside the host\'s own config or data folder)' },
  BUNDLE_LINE_TOO_LONG: { n: 421, message: 'A line of the file is longer than the line limit' },
  BUNDLE_NESTING_TOO_DEEP: { n: 422, message: 'A row nests arrays or objects deeper than the limit' },
  BUNDLE_FILE_CHANGED: { n: 423, message: 'The file is not the one the import started with (another size or SHA-256)' },
  // 5xx — repo tools
  REPO_NOT_FOUND: { n: 500, message: 'No repository with this id in the host config' },
  CHECK_NOT_FOUND: { n: 501, message: 'No check with this id registered for the repository' },
  PATCH_INVALID: { n: 502, message: 'The patch cannot be parsed' },
  PATCH_BINARY: { n: 503, message: 'Binary patches are refused' },
  PATCH_MODE_ONLY: { n: 504, message: 'Mode-only changes are refused' },
  PATH_ABSOLUTE: { n: 505, message: 'Patch path is absolute' },
  PATH_TRAVERSAL: { n: 506, message: 'Patch path contains a .. component' },
  PATH_GIT_DIR: { n: 507, message: 'Patch path touches a .git directory' },
  PATH_SYMLINK: { n: 508, message: 'Patch path goes through or creates a symbolic link' },
  PATH_CONTROL_CHARS: { n: 509, message: 'Patch path contains NUL or control characters' },
  PATH_CASE_COLLISION: { n: 510, message: 'Patch path differs only by case from another file' },
  PATH_OUTSIDE_ROOT: { n: 511, message: 'Patch path resolves outside the repository root' },
  HUNK_MISMATCH: { n: 512, message: 'A hunk does not match the file exactly' },
  HUNK_HEADER_MISMATCH: { n: 513, message: 'A hunk header line counts disagree with its body' },
  FILE_EXISTS: { n: 514, message: 'The patch creates a file that already exists' },
  FILE_MISSING: { n: 515, message: 'The patch changes a file that does not exist' },
  BUDGET_FILES: { n: 516, message: 'The patch touches more files than the repository budget' },
  BUDGET_LINES: { n: 517, message: 'The patch adds and removes more lines than the repository budget' },
  BUDGET_BYTES: { n: 518, message: 'The patch writes more bytes than the repository budget' },
  CHANGE_NOT_FOUND: { n: 519, message: 'No such change in the repository ledger' },
  REVERT_CONFLICT: { n: 520, message: 'A file changed since the change was applied; revert refused' },
  CHANGE_ALREADY_REVERTED: { n: 521, message: 'The change was already reverted' },
  REPO_BUSY: { n: 522, message: 'Another change is being applied to this repository' },
  PATCH_DUPLICATE_PATH: { n: 523, message: 'The patch touches the same path twice' },
  REPO_ROOT_INVALID: { n: 524, message: 'The repository root is not an existing directory' },
  CHECK_FAILED: { n: 525, message: 'The check exited unsuccessfully or timed out' },
  CHANGE_NOT_REVERTIBLE: { n: 526, message: "The change's pre-images were removed by the retention cap; it can no longer be reverted" },
  PATCH_NOT_PREVIEWED: { n: 527, message: 'This host process has not parsed a patch with that SHA-256 (it restarted since the preview): send the text' },
  PATH_RESERVED_NAME: { n: 528, message: 'Patch path has a ":" in a component (a Windows stream or drive: ".git::$INDEX_ALLOCATION" is .git there)' },
  PATH_NORMALIZATION_COLLISION: { n: 529, message: 'Patch path differs only by Unicode normalization (NFC/NFD) from another file' },
  JOURNAL_INVALID: { n: 530, message: 'A repository journal names an id or a target the host would never write; it was left alone' },
  APPROVAL_REQUIRED: { n: 531, message: 'Applying needs the one-time approval token of a preview of this very patch (missing, used, expired or for another patch)' },
  // 6xx — jobs, overview, privacy
  JOB_INTERRUPTED: { n: 600, message: 'The job was interrupted (service worker or browser restart) and could not resume' },
  JOB_NOT_FOUND: { n: 601, message: 'No such job' },
  JOB_NOT_CANCELLABLE: { n: 602, message: 'The job is not running or queued, or cannot be stopped midway' },
  JOB_NOT_RETRYABLE: { n: 603, message: 'Only a failed or cancelled job whose input was kept can be retried' },
  FILTER_REQUIRED: { n: 604, message: 'A delete needs a filter (time range, domain, URL) or an explicit "everything"' },
  FILTER_INVALID: { n: 605, message: 'The filter is malformed (inverted range, bad domain or URL)' },
  CONFIRMATION_REQUIRED: { n: 606, message: 'This cannot be undone: repeat the request with the confirmation word' },
  JOB_POISONED: { n: 607, message: 'The worker died twice in a row running this job at the same point; it is not resumed again' },
  // 7xx — search
  SEARCH_QUERY_EMPTY: { n: 700, message: 'The query has no searchable words (letters or digits)' },
  SEARCH_INDEX_BUSY: { n: 701, message: 'An index rebuild, verify or compact is already running' },
  EMBEDDINGS_NOT_CONFIGURED: { n: 702, message: 'No embeddings endpoint is configured; search works on full text only' },
  EMBEDDINGS_BAD_RESPONSE: { n: 703, message: 'The embeddings endpoint sent a reply that cannot be read (wrong shape or dimension)' },
  // 8xx — page refresh
  REFRESH_TIMEOUT: { n: 800, message: 'The page did not answer within the time limit' },
  REFRESH_HTTP_ERROR: { n: 801, message: 'The page answered with an HTTP error status' },
  REFRESH_NOT_HTML: { n: 802, message: 'The page is not HTML' },
  REFRESH_ROBOTS_DISALLOWED: { n: 803, message: "The site's robots.txt disallows fetching this page" },
  REFRESH_FETCH_FAILED: { n: 804, message: 'The page could not be fetched (network error or refused connection)' },
  REFRESH_TOO_LARGE: { n: 805, message: 'The page is larger than the refresh size limit' },
  REFRESH_NOTHING_TO_REFRESH: { n: 806, message: 'No saved page matches this refresh' },
  // 9xx — sync (docs/sync.md)
  SYNC_NOT_CONFIGURED: { n: 900, message: 'Sync is not set up: enter a server in Settings → Sync' },
  SYNC_UNREACHABLE: { n: 901, message: 'The sync server cannot be reached' },
  SYNC_UNAUTHORIZED: { n: 902, message: 'The sync server refused the user name or password' },
  SYNC_WRONG_PASSPHRASE: { n: 903, message: 'The passphrase does not open this sync database' },
  SYNC_QUOTA: { n: 904, message: 'The sync server is out of space or refused a document as too large' },
  SYNC_ENCRYPTION_MISMATCH: { n: 905, message: 'This machine and the sync database disagree on encryption' },
  SYNC_DOC_UNREADABLE: { n: 906, message: 'A sync document cannot be opened or read' },
  SYNC_SERVER_ERROR: { n: 907, message: 'The sync server answered with an error' },
  SYNC_NOT_A_SYNC_DATABASE: { n: 908, message: 'The database holds documents, but is not a HydraFlow sync database' },
  SYNC_OLD_FORMAT: { n: 909, message: 'The sync database was written in another version of the sync format: start it over (docs/sync.md)' },
} as const satisfies Record<string, { n: number; message: string }>;

export type ErrorCode = keyof typeof ERRORS;

export interface AppError {
  code: ErrorCode;
  message: string;
  details?: unknown;
}

export type Result<T> = { ok: true; result: T } | { ok: false; error: AppError };

export function ok<T>(result: T): { ok: true; result: T } {
  return { ok: true, result };
}

export function err(code: ErrorCode, message?: string, details?: unknown): { ok: false; error: AppError } {
  const error: AppError = { code, message: message ?? ERRORS[code].message };
  if (details !== undefined) error.details = details;
  return { ok: false, error };
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERRORS, value);
}

/** A quota or full-disk error, also as the cause (`inner`) of a wrapper such as Dexie's DatabaseClosedError after an open the full disk refused. */
function noRoom(thrown: unknown, depth = 0): boolean {
  if (!thrown || typeof thrown !== 'object' || !('name' in thrown) || depth > 3) return false;
  if (thrown.name === 'QuotaExceededError' || /NO_SPACE|ENOSPC/.test(String((thrown as Error).message))) return true;
  return 'inner' in thrown && noRoom(thrown.inner, depth + 1);
}

/** Turns anything thrown into an AppError; keeps codes carried by errors we raised ourselves. */
export function toAppError(thrown: unknown, fallback: ErrorCode = 'INTERNAL_ERROR'): AppError {
  if (thrown instanceof CodedError) return { code: thrown.code, message: thrown.message, ...(thrown.details === undefined ? {} : { details: thrown.details }) };
  // A quota error, or the storage layer reporting a full disk (Chromium's IndexedDB closes the
  // connection with "IO error: … FILE_ERROR_NO_SPACE" as an UnknownError): both mean "no room".
  if (noRoom(thrown)) {
    return { code: 'QUOTA_EXCEEDED', message: String((thrown as Error).message || ERRORS.QUOTA_EXCEEDED.message) };
  }
  const message = thrown instanceof Error ? thrown.message : String(thrown);
  return { code: fallback, message: message || ERRORS[fallback].message };
}

/**
 * An Error that carries a stable code inside one process. It never crosses a process or context
 * boundary: routers turn it into an `{ok: false, error}` value with toAppError.
 */
export class CodedError extends Error {
  constructor(
    readonly code: ErrorCode,
    message?: string,
    readonly details?: unknown,
  ) {
    super(message ?? ERRORS[code].message);
    this.name = 'CodedError';
  }
}
