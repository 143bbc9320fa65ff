/**
 * `hydraflow-host folders add|remove|list [PATH]`: the folders, besides its own bundle folder,
 * where the host may read and write files for the extension (bundles, history files). Only this
 * CLI changes the list (it lives in config.json, which the protocol cannot write): allowing a
 * folder is a decision made on the host side, by the user, never by the browser.
 */
import { err, toAppError } from '../../shared/errors';
import { allowedFolders, checkFolderToAllow } from '../core/folders';
import { currentPaths } from '../host-env';
import { readConfig, writeConfig } from '../repo/config';
import { EXIT, printError, type CliCommand, type CliIo } from './io';

const USAGE = 'Usage: hydraflow-host folders add PATH | folders remove PATH | folders list';

function usage(io: CliIo, message: string): number {
  printError(io, err('USAGE', `${message}. ${USAGE}`).error);
  return EXIT.usage;
}

export const foldersCommand: CliCommand = async (args, io) => {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
    io.out(USAGE);
    return sub === undefined ? EXIT.usage : EXIT.ok;
  }
  const paths = currentPaths();
  try {
    const config = readConfig(paths.configFile);
    if (sub === 'list') {
      if (rest.length !== 0) return usage(io, 'folders list takes no argument');
      io.out(JSON.stringify({ ok: true, folders: allowedFolders(paths, config.folders) }));
      return EXIT.ok;
    }
    if (sub !== 'add' && sub !== 'remove') return usage(io, `Unknown folders command "${sub}"`);
    if (rest.length !== 1) return usage(io, `folders ${sub} PATH`);
    const path = rest[0]!;
    if (sub === 'add') {
      const real = checkFolderToAllow(paths, path);
      if (!config.folders.includes(real)) config.folders.push(real);
      writeConfig(paths.configFile, config);
      io.out(JSON.stringify({ ok: true, added: real, folders: allowedFolders(paths, config.folders) }));
      return EXIT.ok;
    }
    // Remove by the path given or by its real path (the folder may be gone already).
    let real = path;
    try {
      real = checkFolderToAllow(paths, path);
    } catch {
      // gone or refused: match the text as given
    }
    const before = config.folders.length;
    config.folders = config.folders.filter((folder) => folder !== path && folder !== real);
    if (config.folders.length === before) {
      printError(io, err('FOLDER_NOT_ALLOWED', `${path} is not an allowed folder`).error);
      return EXIT.failed;
    }
    writeConfig(paths.configFile, config);
    io.out(JSON.stringify({ ok: true, removed: real, folders: allowedFolders(paths, config.folders) }));
    return EXIT.ok;
  } catch (error) {
    printError(io, toAppError(error));
    return EXIT.failed;
  }
};
