// The requests a client sends on the market feed: binary frames holding JSON
// `{"guid","method":"sub"|"unsub"|"change_mode","data":{"mode","instrumentKeys":[...]}}` (UPSTOX.md). Upstox answers
// requests over its limits by ignoring keys, so the client checks the per-mode limits itself before sending.

export type FeedMode = 'ltpc' | 'full' | 'option_greeks' | 'full_d30'
export const FEED_MODES: readonly FeedMode[] = ['ltpc', 'full', 'option_greeks', 'full_d30']

export type FeedRequestMethod = 'sub' | 'unsub' | 'change_mode'

/** Keys per connection and mode (Upstox V3 limits; less when modes are mixed, which the client does not model). */
export const FEED_MODE_LIMITS: Readonly<Record<FeedMode, number>> = {
  ltpc: 5000,
  full: 2000,
  option_greeks: 2000,
  full_d30: 50,
}

/** Keys per request frame: large subscriptions go out in several frames. */
export const KEYS_PER_REQUEST = 1000

export const feedRequestFrame = (
  guid: string,
  method: FeedRequestMethod,
  keys: readonly string[],
  mode?: FeedMode,
): Buffer =>
  Buffer.from(
    JSON.stringify({
      guid,
      method,
      data: mode === undefined ? { instrumentKeys: keys } : { mode, instrumentKeys: keys },
    }),
    'utf8',
  )

/** The frames for one request, at most `KEYS_PER_REQUEST` keys each. */
export const feedRequestFrames = (
  guid: () => string,
  method: FeedRequestMethod,
  keys: readonly string[],
  mode?: FeedMode,
): Buffer[] => {
  const out: Buffer[] = []
  for (let i = 0; i < keys.length; i += KEYS_PER_REQUEST)
    out.push(feedRequestFrame(guid(), method, keys.slice(i, i + KEYS_PER_REQUEST), mode))
  return out
}
