/** The native messaging host manifest and launcher script: pure builders, no file access. */
import { EXTENSION_ORIGIN, NATIVE_HOST_NAME } from '../../shared/extension-id';

export interface HostManifest {
  name: string;
  description: string;
  path: string;
  type: 'stdio';
  allowed_origins: string[];
}

export function buildHostManifest(launcherPath: string): HostManifest {
  return {
    name: NATIVE_HOST_NAME,
    description: 'HydraFlow native host: history files, bundles, repo tools',
    path: launcherPath,
    type: 'stdio',
    allowed_origins: [EXTENSION_ORIGIN],
  };
}

export const MANIFEST_FILE_NAME = `${NATIVE_HOST_NAME}.json`;

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * A POSIX launcher. The browser starts hosts with a minimal environment (PATH may lack node), so
 * node is called by absolute path; $HYDRAFLOW_HOME is pinned when the host was installed with it.
 */
export function buildLauncherScript(nodePath: string, hostScriptPath: string, hydraflowHome?: string): string {
  const lines = ['#!/bin/sh', '# HydraFlow native host launcher, written by `hydraflow-host install`.'];
  if (hydraflowHome) lines.push(`HYDRAFLOW_HOME=${shellQuote(hydraflowHome)}`, 'export HYDRAFLOW_HOME');
  lines.push(`exec ${shellQuote(nodePath)} ${shellQuote(hostScriptPath)} "$@"`, '');
  return lines.join('\n');
}

/** Reads back the node and script paths from a launcher we wrote (for `doctor`). */
export function parseLauncherScript(text: string): { nodePath: string; hostScriptPath: string } | null {
  const match = /^exec '((?:[^']|'\\'')*)' '((?:[^']|'\\'')*)' "\$@"$/m.exec(text);
  if (!match) return null;
  const unquote = (value: string) => value.replace(/'\\''/g, "'");
  return { nodePath: unquote(match[1]!), hostScriptPath: unquote(match[2]!) };
}
