/**
 * Where the STS evaluation files live. They are not part of the project (their licences are for
 * research use, so they are never copied into the repository or the app): the workplace keeps
 * them in a `shared/data/sts` folder beside the checkout. One lookup for every Node caller (the
 * CLI, `npm run eval`, the benchmarks and the tests), so that a checkout anywhere below that
 * folder's parent finds them and a checkout elsewhere gets one clear error instead of ENOENT.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const STS_FILES = ['sts12.tsv', 'sts13.tsv', 'sts14.tsv'] as const;
export type StsFileName = (typeof STS_FILES)[number];

export class StsDataMissingError extends Error {
  override readonly name = 'StsDataMissingError';
  constructor(readonly searched: readonly string[]) {
    super(
      `STS data not found: no folder holding ${STS_FILES.join(', ')} (looked in ${searched.join(', ')}). ` +
        'Set MOEE_STS_DIR to the folder that holds them.',
    );
  }
}

function holdsStsFiles(dir: string): boolean {
  return STS_FILES.every((file) => existsSync(join(dir, file)));
}

/**
 * `$MOEE_STS_DIR` when set (it must hold the files), else the nearest `shared/data/sts` at or above
 * `from` (the repository root).
 */
export function stsDataDir(env: NodeJS.ProcessEnv = process.env, from: string = REPO_ROOT): string {
  const fromEnv = env.MOEE_STS_DIR;
  if (fromEnv) {
    const dir = resolve(fromEnv);
    if (!holdsStsFiles(dir)) throw new StsDataMissingError([dir]);
    return dir;
  }
  const searched: string[] = [];
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    const candidate = join(dir, 'shared', 'data', 'sts');
    searched.push(candidate);
    if (holdsStsFiles(candidate)) return candidate;
    if (dirname(dir) === dir) throw new StsDataMissingError(searched);
  }
}

/** The path of one STS file, found as `stsDataDir` finds the folder. */
export function stsFile(name: StsFileName, env: NodeJS.ProcessEnv = process.env): string {
  return join(stsDataDir(env), name);
}
