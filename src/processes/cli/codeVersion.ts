import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { findPackageRoot } from '../../adapters/calendar/index.js'

// The code version recorded in every run's manifest: the package version plus the git commit the build was made
// from (stamped into dist/buildInfo.json by `npm run build`), with `+dirty` when the tree had uncommitted changes.

export const codeVersion = (): string => {
  const root = findPackageRoot(dirname(fileURLToPath(import.meta.url)))
  if (root === undefined) return 'unknown'
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version?: string }
  const info = join(root, 'dist', 'buildInfo.json')
  const commit = existsSync(info) ? ((JSON.parse(readFileSync(info, 'utf8')) as { commit?: string }).commit ?? '') : ''
  return `${pkg.version ?? '0.0.0'}${commit === '' ? '' : `+${commit}`}`
}
