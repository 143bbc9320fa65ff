/**
 * Extension pages and the service worker run under a CSP without 'unsafe-eval', where zod's
 * just-in-time parsers cannot run; zod then probes `new Function` once, which the browser reports
 * as a CSP violation (seen by the hostile-content stress probe). Parsing without JIT from the start
 * avoids the probe; nothing changes otherwise (the JIT could not run here anyway). The native host
 * (Node) keeps zod's default. Imported by the background and options entries, and by the side
 * panel's deferred repo tools (not by the side panel's first load, which never parses).
 */
import { z } from 'zod';

z.config({ jitless: true });
