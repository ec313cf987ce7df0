// Whether a module is the script being run (`tsx scripts/x.ts`), compared by real path: Node resolves
// symlinks in import.meta.url but not in process.argv[1], so a plain comparison skips the script's
// body, and its exit status, when it is called through a symlinked path.
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export function isMain(moduleUrl: string): boolean {
  const entry = process.argv[1];
  if (entry === undefined) return false;
  try {
    return realpathSync(fileURLToPath(moduleUrl)) === realpathSync(entry);
  } catch {
    return false;
  }
}
