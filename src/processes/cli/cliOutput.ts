// Every command that prints a summary prints either lines for people or, with --json, exactly one JSON object on
// stdout. Progress and logs go to stderr, so stdout stays machine-readable.

export interface CliIo {
  readonly out: (line: string) => void
  readonly err: (line: string) => void
}

export const processIo: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
}

/** Exit codes: 0 ok, 1 the command ran and found a problem (e.g. a divergence), 2 bad usage or input. */
export type ExitCode = 0 | 1 | 2

export const printResult = (io: CliIo, json: boolean, obj: Record<string, unknown>, lines: readonly string[]): void => {
  if (json) io.out(JSON.stringify(obj))
  else for (const l of lines) io.out(l)
}
