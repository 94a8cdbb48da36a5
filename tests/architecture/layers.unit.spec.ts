import { readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

// The architecture as a test: dependencies point downward only (domain <- journal/projections <- adapters <-
// processes), code outside a folder imports only its barrel (index.ts), and the pure core (domain, projections)
// reads no clock, draws no random numbers and does no I/O, so replay stays deterministic.

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')
const src = join(root, 'src')

const walk = (dir: string): string[] =>
  readdirSync(dir).flatMap((n) => {
    const p = join(dir, n)
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.ts') ? [p] : []
  })

const isTestSupport = (f: string) => /\.(spec|fixtures)\.ts$/.test(f) || f.endsWith('deciderSpec.ts')
const files = walk(src).filter((f) => !isTestSupport(f))
const layerOf = (file: string) => relative(src, file).split(sep)[0]!

const ALLOWED: Record<string, { layers: readonly string[]; packages: RegExp }> = {
  domain: { layers: ['domain'], packages: /^(fp-ts|io-ts)(\/|$)/ },
  projections: { layers: ['domain', 'projections'], packages: /^(fp-ts|io-ts)(\/|$)/ },
  journal: { layers: ['domain', 'journal'], packages: /^(fp-ts|io-ts|node:)/ },
  adapters: { layers: ['domain', 'journal', 'adapters'], packages: /^(?!\.)/ },
  processes: { layers: ['domain', 'journal', 'projections', 'adapters', 'processes'], packages: /^(?!\.)/ },
}

const importsOf = (text: string): string[] =>
  [...text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+'([^']+)'|import\('([^']+)'\)/g)].map(
    (m) => (m[1] ?? m[2])!,
  )

interface Violation {
  readonly file: string
  readonly problem: string
}

const violations = (): Violation[] => {
  const out: Violation[] = []
  for (const file of files) {
    const layer = layerOf(file)
    const rule = ALLOWED[layer]
    const rel = relative(root, file)
    if (rule === undefined) {
      out.push({ file: rel, problem: `"${layer}" is not one of the layers ${Object.keys(ALLOWED).join(', ')}` })
      continue
    }
    for (const spec of importsOf(readFileSync(file, 'utf8'))) {
      if (!spec.startsWith('.')) {
        if (!rule.packages.test(spec)) out.push({ file: rel, problem: `${layer} may not import package "${spec}"` })
        continue
      }
      const target = resolve(dirname(file), spec)
      const targetLayer = layerOf(target)
      if (!rule.layers.includes(targetLayer))
        out.push({ file: rel, problem: `${layer} may not import ${targetLayer} ("${spec}")` })
      // Outside its own folder, a module is reached only through that folder's barrel. A sub-folder belongs to its
      // parent's concept, so it may use its parent's (and ancestors') modules directly.
      const fromFolder = dirname(file)
      const toFolder = dirname(target)
      const ownOrAncestor = fromFolder === toFolder || fromFolder.startsWith(toFolder + sep)
      if (!ownOrAncestor && !spec.endsWith('/index.js')) {
        out.push({ file: rel, problem: `reaches into another folder's internals ("${spec}")` })
      }
    }
  }
  return out
}

const IMPURE: readonly [RegExp, string][] = [
  [/\bDate\.now\s*\(/, 'reads the clock (Date.now)'],
  [/\bnew Date\(\s*\)/, 'reads the clock (new Date())'],
  [/\bperformance\.now\s*\(/, 'reads the clock (performance.now)'],
  [/\bMath\.random\s*\(/, 'draws a random number (Math.random)'],
  [/\bprocess\./, 'touches the process (process.*)'],
  [/\bconsole\./, 'logs (console.*)'],
  [/\brequire\s*\(/, 'loads modules dynamically (require)'],
  [/\bsetTimeout\s*\(|\bsetInterval\s*\(|\bsetImmediate\s*\(/, 'schedules timers'],
]

describe('architecture', () => {
  it('finds the source files it checks', () => {
    expect(files.length).toBeGreaterThan(30)
    expect(new Set(files.map(layerOf))).toEqual(new Set(Object.keys(ALLOWED)))
  })

  it('keeps dependencies pointing downward and goes through barrels', () => {
    expect(violations()).toEqual([])
  })

  it('keeps src/domain and src/projections pure', () => {
    const found: Violation[] = []
    for (const file of files.filter((f) => ['domain', 'projections'].includes(layerOf(f)))) {
      const code = readFileSync(file, 'utf8')
        .replace(/\/\/.*$/gm, '')
        .replace(/\/\*[\s\S]*?\*\//g, '')
      for (const [re, what] of IMPURE) if (re.test(code)) found.push({ file: relative(root, file), problem: what })
    }
    expect(found).toEqual([])
  })

  it('detects a violation when one is present (the checks can fail)', () => {
    expect(importsOf("import { x } from '../journal/fileJournal.js'\nexport * from './a.js'")).toEqual([
      '../journal/fileJournal.js',
      './a.js',
    ])
    const impure = 'const t = Date.now()'
    expect(IMPURE.some(([re]) => re.test(impure))).toBe(true)
  })
})
