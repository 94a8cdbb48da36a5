// The one user the sandbox serves. The secrets are fixed and public on purpose: the sandbox binds to 127.0.0.1
// and exists for demos and tests. They are still never logged.

export interface SandboxUser {
  readonly userId: string
  readonly userName: string
  readonly email: string
  readonly clientId: string
  readonly clientSecret: string
  readonly redirectUri: string
  /** Opening cash in paise. */
  readonly capitalPaise: number
}

export const DEMO_USER: SandboxUser = {
  userId: 'SBX001',
  userName: 'Sandbox Demo',
  email: 'demo@sandbox.invalid',
  clientId: 'bahi-sandbox-client',
  clientSecret: 'bahi-sandbox-secret',
  redirectUri: 'http://127.0.0.1/callback',
  capitalPaise: 100_000_000,
}

/** The profile as `/v2/user/profile` and the token exchange report it. */
export const profileOf = (u: SandboxUser) => ({
  email: u.email,
  exchanges: ['NSE', 'NFO', 'BSE', 'CDS', 'BFO', 'BCD'],
  products: ['D', 'I', 'CO', 'MTF'],
  broker: 'UPSTOX',
  user_id: u.userId,
  user_name: u.userName,
  order_types: ['MARKET', 'LIMIT', 'SL', 'SL-M'],
  user_type: 'individual',
  poa: false,
  ddpi: false,
  is_active: true,
})
