// Runs the Biome linter/formatter from its platform package. We depend on that package directly (as an optional
// dependency) rather than on `@biomejs/biome`, whose lockfile entries for every other platform the registry this
// project installs from does not serve, which makes `npm ci` fail. Other platforms: `npm i -D @biomejs/biome`.
import { spawnSync } from 'node:child_process'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

const require = createRequire(import.meta.url)
const pkg = `@biomejs/cli-${process.platform}-${process.arch}`
let binary
try {
  binary = join(dirname(require.resolve(`${pkg}/package.json`)), process.platform === 'win32' ? 'biome.exe' : 'biome')
} catch {
  try {
    binary = join(dirname(require.resolve('@biomejs/biome/package.json')), 'bin', 'biome')
  } catch {
    console.error(`biome: no binary for ${process.platform}-${process.arch}; install one with: npm i -D @biomejs/biome`)
    process.exit(2)
  }
}
const r = spawnSync(binary, process.argv.slice(2), { stdio: 'inherit' })
process.exit(r.status ?? 1)
