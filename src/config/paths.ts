import fs from 'node:fs';
import path from 'node:path';

/** The project's root (where package.json is), from src/ under ts-jest or from dist/src/ when compiled. */
function findProjectRoot(start: string): string {
  let dir = start;
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'data'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`hoidap: cannot find the project root above ${start}`);
    dir = parent;
  }
}

export const PROJECT_ROOT = findProjectRoot(__dirname);
export const DEFAULT_DATA_DIR = path.join(PROJECT_ROOT, 'data');
export const DEFAULT_DB_PATH = path.join('var', 'hoidap.sqlite');
