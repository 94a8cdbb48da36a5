import { profileOf, type SandboxUser } from './demoUser.js'
import { type ApiReply, ERR, errorReply } from './restEnvelope.js'
import type { Sessions } from './sessions.js'

// The OAuth login: the authorization dialog (a 302 to the app's redirect URI with a single-use code, as if the user
// had logged in and approved) and the code exchange, which answers with the profile and the access token itself,
// not wrapped in the usual envelope.

export const authorizationDialog = (sessions: Sessions, query: URLSearchParams): ApiReply => {
  const clientId = query.get('client_id') ?? ''
  const redirectUri = query.get('redirect_uri') ?? ''
  const user = sessions.userByClientId(clientId)
  if (user === undefined) return errorReply(ERR.invalidCredentials('client_id'))
  if (redirectUri !== user.redirectUri)
    return errorReply(ERR.invalidInput('redirect_uri', redirectUri, 'redirect_uri does not match the app'))
  const state = query.get('state')
  const location = new URL(user.redirectUri)
  location.searchParams.set('code', sessions.issueAuthCode(user))
  if (state !== null) location.searchParams.set('state', state)
  return { httpStatus: 302, body: null, headers: { location: location.toString() } }
}

export const tokenResponse = (user: SandboxUser, accessToken: string) => ({
  ...profileOf(user),
  access_token: accessToken,
  extended_token: null,
})

export const exchangeCode = (sessions: Sessions, form: URLSearchParams, nowMs: number): ApiReply => {
  const user = sessions.userByClientId(form.get('client_id') ?? '')
  if (user === undefined || form.get('client_secret') !== user.clientSecret)
    return errorReply(ERR.invalidCredentials('client_secret'))
  if (form.get('redirect_uri') !== user.redirectUri)
    return errorReply(ERR.invalidInput('redirect_uri', form.get('redirect_uri'), 'redirect_uri does not match the app'))
  if (form.get('grant_type') !== 'authorization_code')
    return errorReply(ERR.invalidInput('grant_type', form.get('grant_type'), 'grant_type must be authorization_code'))
  const codeUser = sessions.redeemAuthCode(form.get('code') ?? '')
  if (codeUser === undefined || codeUser.userId !== user.userId) return errorReply(ERR.invalidCredentials('code'))
  const session = sessions.issueToken(user, nowMs)
  return { httpStatus: 200, body: tokenResponse(user, session.token) }
}
