/** The few PouchDB 9 entry points sync uses (the packages ship no types); the API is typed in remote.ts. */
declare module 'pouchdb-core' {
  const PouchDB: {
    new (name: string, options: { adapter: 'http'; skip_setup?: boolean; auth?: { username: string; password: string }; fetch?: (url: string | Request, init?: RequestInit) => Promise<Response> }): unknown;
    plugin(plugin: unknown): void;
  };
  export default PouchDB;
}
declare module 'pouchdb-adapter-http' {
  const plugin: unknown;
  export default plugin;
}
