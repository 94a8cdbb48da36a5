// Records the git commit the build was made from in dist/buildInfo.json (read by the code version in run manifests),
// and marks the `bahi` bin executable.
import { execFileSync } from 'node:child_process'
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs'

const git = (...args) => {
  try {
    return execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
  } catch {
    return ''
  }
}
const sha = git('rev-parse', '--short=12', 'HEAD')
const dirty = sha !== '' && git('status', '--porcelain', '--untracked-files=no') !== ''
mkdirSync('dist', { recursive: true })
writeFileSync(
  'dist/buildInfo.json',
  `${JSON.stringify({ commit: sha === '' ? '' : `${sha}${dirty ? '-dirty' : ''}` })}\n`,
)

// The `bahi` bin must be executable: npx runs it directly, and tsc writes files without the executable bit.
chmodSync('dist/src/processes/cli/main.js', 0o755)
