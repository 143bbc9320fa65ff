/** The database's name, alone in a module: the side panel's blocking early script reads it without loading Dexie. */
export const DB_NAME = 'hydraflow';
