/**
 * The launcher a browser starts: pure builders and parsers, no file access.
 * - POSIX (Linux, macOS): a /bin/sh script. Browsers start hosts with a minimal environment (a
 *   macOS app launched from the Dock has PATH=/usr/bin:/bin:…, without Homebrew or nvm), so the
 *   node recorded at install time is called by absolute path; when it is gone (Homebrew upgrade,
 *   nvm uninstall) the script looks where Homebrew, the official installer and nvm put node.
 * - Windows: a .bat file, started by the browser through cmd.exe. Every path is double-quoted
 *   (Windows paths cannot contain `"`), `%` is doubled, and the file is read as UTF-8 after
 *   `chcp 65001`, so paths with spaces and non-ASCII characters survive.
 * `doctor` reads back what `install` wrote with the parsers here.
 */

export interface LauncherSpec {
  nodePath: string;
  hostScriptPath: string;
  /** Pinned when the host was installed with $HYDRAFLOW_HOME set. */
  hydraflowHome?: string;
  /** The host version that wrote the launcher (a comment, for people reading it). */
  version?: string;
}

/**
 * Where the POSIX launcher looks for node when the recorded one is gone, in this order:
 * Homebrew on Apple silicon, then /usr/local/bin (Homebrew on Intel Macs and the official
 * nodejs.org installer), then the newest nvm version under ~/.nvm, then whatever PATH has.
 */
export const NODE_SEARCH_DIRS = ['/opt/homebrew/bin', '/usr/local/bin'] as const;

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

function shellUnquote(value: string): string {
  return value.replace(/'\\''/g, "'");
}

export function buildPosixLauncher(spec: LauncherSpec, searchDirs: readonly string[] = NODE_SEARCH_DIRS): string {
  const lines = [
    '#!/bin/sh',
    `# HydraFlow native host launcher, written by \`hydraflow-host install\`${spec.version ? ` ${spec.version}` : ''}. Rewritten by every install.`,
  ];
  if (spec.hydraflowHome) lines.push(`HYDRAFLOW_HOME=${shellQuote(spec.hydraflowHome)}`, 'export HYDRAFLOW_HOME');
  lines.push(
    `node=${shellQuote(spec.nodePath)}`,
    `host=${shellQuote(spec.hostScriptPath)}`,
    '# The node recorded at install time; if it is gone, the usual places, then the newest nvm node, then PATH.',
    'if [ ! -x "$node" ]; then',
    '  node=',
    `  for candidate in ${searchDirs.map((dir) => shellQuote(`${dir}/node`)).join(' ')}; do`,
    '    if [ -z "$node" ] && [ -x "$candidate" ]; then node=$candidate; fi',
    '  done',
    '  if [ -z "$node" ]; then',
    '    best=; best_major=-1; best_minor=-1; best_patch=-1',
    '    for candidate in "${NVM_DIR:-$HOME/.nvm}"/versions/node/v*/bin/node; do',
    '      [ -x "$candidate" ] || continue',
    '      version=${candidate%/bin/node}; version=${version##*/v}',
    '      major=${version%%.*}; rest=${version#*.}; minor=${rest%%.*}; patch=${rest#*.}; patch=${patch%%[!0-9]*}',
    '      case "$major$minor$patch" in *[!0-9]*|"") continue ;; esac',
    '      if [ "$major" -gt "$best_major" ] || { [ "$major" -eq "$best_major" ] && { [ "$minor" -gt "$best_minor" ] || { [ "$minor" -eq "$best_minor" ] && [ "$patch" -gt "$best_patch" ]; }; }; }; then',
    '        best=$candidate; best_major=$major; best_minor=$minor; best_patch=$patch',
    '      fi',
    '    done',
    '    node=$best',
    '  fi',
    '  if [ -z "$node" ]; then node=$(command -v node 2>/dev/null); fi',
    '  if [ -z "$node" ]; then',
    '    echo "hydraflow-host: node not found (looked for $0\'s recorded node, Homebrew, /usr/local/bin, nvm, PATH). Install Node.js, then run: npx hydraflow-host install" >&2',
    '    exit 127',
    '  fi',
    'fi',
    'exec "$node" "$host" "$@"',
    '',
  );
  return lines.join('\n');
}

/** Reads back the recorded node, host script and HYDRAFLOW_HOME from a launcher we wrote. */
export function parsePosixLauncher(text: string): LauncherSpec | null {
  const quoted = "'((?:[^']|'\\\\'')*)'";
  const node = new RegExp(`^node=${quoted}$`, 'm').exec(text);
  const host = new RegExp(`^host=${quoted}$`, 'm').exec(text);
  if (!node || !host || !/^exec "\$node" "\$host" "\$@"$/m.test(text)) return null;
  const home = new RegExp(`^HYDRAFLOW_HOME=${quoted}$`, 'm').exec(text);
  return {
    nodePath: shellUnquote(node[1]!),
    hostScriptPath: shellUnquote(host[1]!),
    ...(home ? { hydraflowHome: shellUnquote(home[1]!) } : {}),
  };
}

function batchQuote(value: string): string {
  if (/["\r\n\0]/.test(value)) throw new Error(`A path for the Windows launcher cannot contain quotes or line breaks: ${JSON.stringify(value)}`);
  return value.replace(/%/g, '%%');
}

/**
 * The Windows launcher. cmd.exe reads a batch file line by line in the console code page; after
 * `chcp 65001` the following lines are read as UTF-8, which is how this file is written.
 * Delayed expansion is off, so `!` is literal; `^ & | < >` are literal inside double quotes.
 */
export function buildWindowsLauncher(spec: LauncherSpec): string {
  const lines = [
    '@echo off',
    `rem HydraFlow native host launcher, written by hydraflow-host install${spec.version ? ` ${spec.version}` : ''}. Rewritten by every install.`,
    'chcp 65001 >nul',
    'setlocal DisableDelayedExpansion',
  ];
  if (spec.hydraflowHome) lines.push(`set "HYDRAFLOW_HOME=${batchQuote(spec.hydraflowHome)}"`);
  lines.push(`"${batchQuote(spec.nodePath)}" "${batchQuote(spec.hostScriptPath)}" %*`, '');
  return lines.join('\r\n');
}

export function parseWindowsLauncher(text: string): LauncherSpec | null {
  const run = /^"([^"]*)" "([^"]*)" %\*\r?$/m.exec(text);
  if (!run) return null;
  const unquote = (value: string) => value.replace(/%%/g, '%');
  const home = /^set "HYDRAFLOW_HOME=([^"]*)"\r?$/m.exec(text);
  return {
    nodePath: unquote(run[1]!),
    hostScriptPath: unquote(run[2]!),
    ...(home ? { hydraflowHome: unquote(home[1]!) } : {}),
  };
}
