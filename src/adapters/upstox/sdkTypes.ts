import { createRequire } from 'node:module'

// Typed declarations for the part of the official `upstox-js-sdk` we use: its `ApiClient` (superagent underneath).
// The SDK is CommonJS with no types, so it is loaded with `createRequire`. We call `callApi` with the `Object` return
// type, which hands back the JSON body untouched (snake_case, as on the wire); every body is then validated with our
// own io-ts codecs rather than the SDK's models, which coerce silently and drop unknown fields.

/** What superagent reports when a call fails: a status and body for HTTP errors, a code for network ones. */
export interface SdkCallError {
  readonly status?: number
  readonly code?: string
  /** Set (to the timeout in ms) when superagent aborted the call for taking too long. */
  readonly timeout?: number
  readonly response?: { readonly status?: number; readonly text?: string; readonly body?: unknown }
}

export interface SdkResponse {
  readonly status: number
  readonly text?: string
}

export type SdkCallback = (error: SdkCallError | null, data: unknown, response: SdkResponse | undefined) => void

export interface SdkApiClient {
  basePath: string
  orderBasePath: string
  /** Per-call deadline in ms. */
  timeout: number
  readonly authentications: { readonly OAUTH2: { accessToken?: string } }
  readonly callApi: (
    path: string,
    httpMethod: string,
    pathParams: Readonly<Record<string, string>>,
    queryParams: Readonly<Record<string, string>>,
    headerParams: Readonly<Record<string, string>>,
    formParams: Readonly<Record<string, string>>,
    bodyParam: unknown,
    authNames: readonly string[],
    contentTypes: readonly string[],
    accepts: readonly string[],
    returnType: unknown,
    callback: SdkCallback,
  ) => unknown
}

export interface UpstoxSdk {
  readonly ApiClient: new () => SdkApiClient
}

let sdk: UpstoxSdk | undefined

/** The SDK module, loaded once. A missing or changed SDK is a programmer error (a broken install), so it throws. */
export const loadUpstoxSdk = (): UpstoxSdk => {
  if (sdk !== undefined) return sdk
  const mod: unknown = createRequire(import.meta.url)('upstox-js-sdk')
  if (typeof mod !== 'object' || mod === null || !('ApiClient' in mod) || typeof mod.ApiClient !== 'function')
    throw new Error('upstox-js-sdk does not export ApiClient: is the package installed?')
  // The declarations above describe the SDK's own code (not external data), checked as far as a constructor can be.
  sdk = mod as UpstoxSdk
  return sdk
}
