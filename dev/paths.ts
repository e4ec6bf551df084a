import { existsSync } from 'node:fs';
import path from 'node:path';

/** Returns the project root (the folder with package.json), from sources or from `dist/`. */
export function projectRoot(): string {
  let dir = __dirname;
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`No package.json found above ${__dirname}`);
    dir = parent;
  }
  return dir;
}

/** BC API example payloads from Microsoft's documentation, used by tests and to seed the sandbox. */
export function bcFixturesDir(): string {
  return path.join(projectRoot(), 'tests', 'fixtures', 'bc');
}

/** BC API behaviours from public bug reports, one JSON file each with `input` and `expect`. */
export function bcCasesDir(): string {
  return path.join(projectRoot(), 'tests', 'fixtures', 'cases');
}
