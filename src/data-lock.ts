import { openSync, readFileSync, rmSync, writeSync, closeSync } from 'node:fs';
import path from 'node:path';

/**
 * Takes the data folder for this process by creating `<dataDir>/responder.pid`, so two
 * responders never share one SQLite database. A file left by a process that no longer exists
 * is taken over. Returns the release function. Throws naming the folder and the other pid.
 */
export function lockDataDir(dataDir: string): () => void {
  const file = path.join(dataDir, 'responder.pid');
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return () => rmSync(file, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = Number.parseInt(readFileSync(file, 'utf8'), 10);
    if (Number.isInteger(owner) && owner !== process.pid && isAlive(owner)) {
      throw new Error(
        `data folder ${dataDir} is in use by another responder (pid ${owner}); ` +
          'stop that process or set SOAR_DATA_DIR to another folder',
      );
    }
    rmSync(file, { force: true });
  }
  throw new Error(`could not take ${file}; remove it if no responder is running`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
