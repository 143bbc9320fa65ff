/**
 * The host's log: lines to stderr (Chromium shows a host's stderr in its own log when started with
 * --enable-logging) and to a rotating file under the data dir (folder 0700, files 0600: a log names
 * files and repositories). Never to stdout.
 */
import { appendFileSync, renameSync, statSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ensurePrivateDir, PRIVATE_FILE_MODE } from './core/private-files';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface FileLoggerOptions {
  logDir: string | null;
  level?: LogLevel;
  maxBytes?: number;
  keepFiles?: number;
  toStderr?: boolean;
}

export function createLogger({ logDir, level = 'info', maxBytes = 1024 * 1024, keepFiles = 3, toStderr = true }: FileLoggerOptions): Logger {
  let fileOk = logDir !== null;
  const file = logDir ? join(logDir, 'host.log') : '';
  if (logDir) {
    try {
      ensurePrivateDir(logDir);
    } catch {
      fileOk = false;
    }
  }

  function rotate(): void {
    try {
      if (statSync(file).size < maxBytes) return;
    } catch {
      return;
    }
    rmSync(`${file}.${keepFiles}`, { force: true });
    for (let i = keepFiles - 1; i >= 1; i--) {
      try {
        renameSync(`${file}.${i}`, `${file}.${i + 1}`);
      } catch {
        // that generation does not exist yet
      }
    }
    renameSync(file, `${file}.1`);
  }

  function write(at: LogLevel, message: string, fields?: Record<string, unknown>): void {
    if (LEVELS[at] < LEVELS[level]) return;
    const line = `${new Date().toISOString()} ${at.toUpperCase()} [${process.pid}] ${message}${fields ? ` ${safeJson(fields)}` : ''}\n`;
    if (toStderr) process.stderr.write(line);
    if (!fileOk) return;
    try {
      rotate();
      appendFileSync(file, line, { mode: PRIVATE_FILE_MODE });
    } catch {
      fileOk = false;
    }
  }

  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
  };
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch {
    return '[unserializable]';
  }
}
