// Faults injected on demand (the admin endpoints under `/_sandbox/faults` or the programmatic API): HTTP errors,
// slow or dropped responses, and on the WebSockets silence, malformed frames and closes. HTTP faults are one-shot
// rules consumed by the next matching requests; the socket faults are state the feeds read. A `delay` or `drop` with
// `after` handles the request first and then delays or drops the response: the order exists, the client never hears.

export type HttpFault =
  | { readonly kind: 'status'; readonly status: number; readonly count: number; readonly path?: string }
  | {
      readonly kind: 'delay'
      readonly ms: number
      readonly count: number
      readonly path?: string
      readonly after?: boolean
    }
  | { readonly kind: 'drop'; readonly count: number; readonly path?: string; readonly after?: boolean }

interface ActiveFault {
  readonly fault: HttpFault
  remaining: number
}

export const createFaults = () => {
  let http: ActiveFault[] = []
  const state = {
    /** While true the feeds send nothing: no frames and no pongs. */
    feedSilent: false,
    /** The next this many feed frames go out as bytes that are not a valid protobuf `FeedResponse`. */
    malformedFrames: 0,
  }
  const injectHttp = (fault: HttpFault): void => {
    http.push({ fault, remaining: Math.max(1, Math.floor(fault.count)) })
  }
  /** The fault the next request to `path` suffers, if any (consumed). */
  const takeHttp = (path: string): HttpFault | undefined => {
    const a = http.find((f) => f.remaining > 0 && (f.fault.path === undefined || path.startsWith(f.fault.path)))
    if (a === undefined) return undefined
    a.remaining--
    http = http.filter((f) => f.remaining > 0)
    return a.fault
  }
  /** Takes one malformed frame from the budget; true when the caller should send garbage instead. */
  const takeMalformed = (): boolean => {
    if (state.malformedFrames <= 0) return false
    state.malformedFrames--
    return true
  }
  const clear = () => {
    http = []
    state.feedSilent = false
    state.malformedFrames = 0
  }
  const describe = () => ({
    http: http.map((f) => ({ ...f.fault, count: f.remaining })),
    feedSilent: state.feedSilent,
    malformedFrames: state.malformedFrames,
  })
  return { state, injectHttp, takeHttp, takeMalformed, clear, describe }
}

export type Faults = ReturnType<typeof createFaults>

/** Bytes no protobuf decoder accepts: field 1 with the invalid wire type 7. */
export const MALFORMED_FRAME = Uint8Array.from([0x0f, 0x0f, 0x0f, 0x0f])
