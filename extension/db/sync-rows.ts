/** Row shapes of the sync stores (migration 6; docs/sync.md). Written only by extension/sync/. */

/** A sync document changed here and not yet sent; `hlc` is the clock stamp of its latest change. */
export interface SyncOutboxRow {
  docId: string;
  hlc: string;
}

/** The server revision of a document this machine last sent or received, and that version's stamp. */
export interface SyncDocRow {
  docId: string;
  /** The document's id on the server (opaque when encrypted), to read a deletion that carries no body. */
  serverId: string;
  rev: string;
  hlc: string;
  /** The server's revision is a deletion (a deletion is not sent again). */
  deleted?: true;
}

/** A visit (`id` = the visit's id) or a message (`id` = `message:<message id>`) deleted here, kept under its sync document's id. */
export interface SyncTombstoneRow {
  id: string;
  chunk: string;
}
