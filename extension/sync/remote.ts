/**
 * The sync server, through PouchDB 9's HTTP adapter (CouchDB's replication API: _changes with
 * checkpoints, _bulk_docs, _all_docs, revisions). Never a `live` feed: every call is one request
 * that ends, so a worker that dies mid-sync loses nothing but the call. Every failure is turned
 * into a stable sync error code in the user's words (unreachable, unauthorized, quota).
 */
import PouchDB from 'pouchdb-core';
import HttpAdapter from 'pouchdb-adapter-http';
import { CodedError } from '../../shared/errors';

PouchDB.plugin(HttpAdapter);

export interface RemoteChange {
  id: string;
  seq: string | number;
  deleted?: boolean;
  changes: { rev: string }[];
}

export interface BulkResult {
  id: string;
  rev?: string;
  ok?: boolean;
  error?: string;
  reason?: string;
  status?: number;
}

/** The PouchDB methods sync calls (pouchdb-core's database object). */
interface PouchHttp {
  info(): Promise<{ doc_count: number; update_seq: string | number }>;
  get(id: string, options?: { conflicts?: boolean; rev?: string }): Promise<Record<string, unknown>>;
  put(doc: Record<string, unknown>): Promise<{ ok: boolean; id: string; rev: string }>;
  bulkDocs(docs: Record<string, unknown>[], options?: { new_edits?: boolean }): Promise<BulkResult[]>;
  allDocs(options: { keys?: string[]; include_docs?: boolean; limit?: number; conflicts?: boolean }): Promise<{ rows: { id?: string; key: string; value?: { rev: string; deleted?: boolean }; doc?: Record<string, unknown> | null; error?: string }[] }>;
  changes(options: { since: string | number; limit: number; batch_size: number; style?: 'main_only' | 'all_docs' }): Promise<{ results: RemoteChange[]; last_seq: string | number }>;
  close(): Promise<void>;
}

export interface RemoteConfig {
  serverUrl: string;
  database: string;
  username: string;
  password: string;
}

/** Turns what PouchDB or fetch threw into a sync error code. */
export function remoteError(thrown: unknown): CodedError {
  if (thrown instanceof CodedError) return thrown;
  const error = thrown as { status?: number; name?: string; message?: string; reason?: string };
  // The job was cancelled: its signal aborted the request.
  if (error?.name === 'AbortError') return new CodedError('CANCELLED', 'Sync cancelled');
  const status = error?.status;
  const text = `${error?.name ?? ''} ${error?.message ?? ''} ${error?.reason ?? ''}`.trim();
  if (status === 401 || status === 403) return new CodedError('SYNC_UNAUTHORIZED', `The server refused the credentials (${status}${text ? `: ${text}` : ''})`);
  if (status === 413 || status === 507 || /quota|too large|insufficient storage/i.test(text)) return new CodedError('SYNC_QUOTA', `The server refused to store more (${status ?? 'no status'}${text ? `: ${text}` : ''})`);
  if (status === undefined || status === 0 || /fetch|network|ECONNREFUSED|ENOTFOUND|Failed to fetch/i.test(text)) return new CodedError('SYNC_UNREACHABLE', `The server cannot be reached${text ? ` (${text})` : ''}`);
  return new CodedError('SYNC_SERVER_ERROR', `The server answered ${status}${text ? `: ${text}` : ''}`);
}

async function call<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw remoteError(error);
  }
}

/** The server's database, opened with the user's credentials (created when missing and allowed). */
export class Remote {
  private readonly db: PouchHttp;

  constructor(config: RemoteConfig, signal?: AbortSignal) {
    const url = `${config.serverUrl.replace(/\/+$/, '')}/${encodeURIComponent(config.database)}`;
    const auth = config.username ? { auth: { username: config.username, password: config.password } } : {};
    // Every request can be cancelled with the job.
    const fetchWithSignal = (input: string | Request, init?: RequestInit) => fetch(input, { ...init, ...(signal ? { signal } : {}) });
    this.db = new PouchDB(url, { adapter: 'http', ...auth, fetch: fetchWithSignal }) as PouchHttp;
  }

  info() {
    return call(() => this.db.info());
  }

  async getOrNull(id: string): Promise<Record<string, unknown> | null> {
    try {
      return await this.db.get(id, { conflicts: true });
    } catch (error) {
      if ((error as { status?: number }).status === 404) return null;
      throw remoteError(error);
    }
  }

  getRev(id: string, rev: string) {
    return call(() => this.db.get(id, { rev }));
  }

  put(doc: Record<string, unknown>) {
    return call(() => this.db.put(doc));
  }

  bulkDocs(docs: Record<string, unknown>[]) {
    return call(() => this.db.bulkDocs(docs));
  }

  /** Current revisions of documents (deleted ones too), by id. */
  async revs(ids: string[]): Promise<Map<string, { rev: string; deleted: boolean }>> {
    const reply = await call(() => this.db.allDocs({ keys: ids }));
    const revs = new Map<string, { rev: string; deleted: boolean }>();
    for (const row of reply.rows) if (row.value) revs.set(row.key, { rev: row.value.rev, deleted: Boolean(row.value.deleted) });
    return revs;
  }

  /** Ids and leaf revisions changed since a sequence (no bodies: what is known here is not fetched again). */
  changes(since: string | number, limit: number) {
    // One request per call: PouchDB's HTTP adapter otherwise splits `limit` into requests of 25.
    return call(() => this.db.changes({ since, limit, batch_size: limit, style: 'all_docs' }));
  }

  /** Current documents with their conflict revisions; a deleted one as `{_id, _rev, _deleted}` (its body, if any, is not listed). */
  async docs(ids: string[]): Promise<Record<string, unknown>[]> {
    if (ids.length === 0) return [];
    const reply = await call(() => this.db.allDocs({ keys: ids, include_docs: true, conflicts: true }));
    const docs: Record<string, unknown>[] = [];
    for (const row of reply.rows) {
      if (row.doc) docs.push(row.doc);
      else if (row.value?.deleted) docs.push(await this.deletedDoc(row.key, row.value.rev));
    }
    return docs;
  }

  /** A deletion's own revision, with the sealed body HydraFlow writes into it when it has one. */
  private async deletedDoc(id: string, rev: string): Promise<Record<string, unknown>> {
    try {
      return { ...(await this.db.get(id, { rev })), _id: id, _rev: rev, _deleted: true };
    } catch {
      return { _id: id, _rev: rev, _deleted: true };
    }
  }

  close() {
    return this.db.close().catch(() => undefined);
  }
}
