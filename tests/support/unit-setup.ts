// Unit tests run Dexie on fake-indexeddb: a spec-complete IndexedDB in memory.
import 'fake-indexeddb/auto';
