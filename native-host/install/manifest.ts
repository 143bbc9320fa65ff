/** The native messaging host manifest: a pure builder, no file access. */
import { DEFAULT_EXTENSION_IDS, extensionOrigin, isExtensionId, NATIVE_HOST_NAME } from '../../shared/extension-id';

export interface HostManifest {
  name: string;
  description: string;
  path: string;
  type: 'stdio';
  allowed_origins: string[];
}

export function buildHostManifest(launcherPath: string, extensionIds: readonly string[] = DEFAULT_EXTENSION_IDS): HostManifest {
  return {
    name: NATIVE_HOST_NAME,
    description: 'HydraFlow native host: history files, bundles, repo tools',
    path: launcherPath,
    type: 'stdio',
    allowed_origins: [...new Set(extensionIds)].map(extensionOrigin),
  };
}

export const MANIFEST_FILE_NAME = `${NATIVE_HOST_NAME}.json`;

/** The extension IDs a manifest allows (what an earlier `install --extension-id` added is kept on reinstall). */
export function allowedExtensionIds(manifest: unknown): string[] {
  const origins = (manifest as { allowed_origins?: unknown } | null)?.allowed_origins;
  if (!Array.isArray(origins)) return [];
  return origins.flatMap((origin) => {
    const match = typeof origin === 'string' ? /^chrome-extension:\/\/([a-p]{32})\/$/.exec(origin) : null;
    return match && isExtensionId(match[1]!) ? [match[1]!] : [];
  });
}
