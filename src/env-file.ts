import { existsSync } from 'node:fs';

/**
 * Loads `.env` from the working directory into `process.env` when the file exists. Variables
 * already set in the environment win over the file.
 */
export function loadDotEnv(file = '.env'): void {
  if (existsSync(file)) process.loadEnvFile(file);
}
