/**
 * The two WXT globals the entry files use, declared for tsconfig.extension.json. WXT's own
 * declarations (.wxt/wxt.d.ts, wxt/utils/*) import its build tool's types, which bring Node's
 * types with them; the browser side takes only what it calls, and the public paths
 * (.wxt/types/paths.d.ts). The root tsconfig.json still checks the entry files against WXT's own.
 */
declare function defineBackground(definition: { type?: 'module'; persistent?: boolean; main(): void }): unknown;
declare function defineUnlistedScript(main: () => unknown): unknown;
