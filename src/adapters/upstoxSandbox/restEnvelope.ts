// The Upstox REST envelope: `{"status":"success","data":...}` on success and, on failure,
// `{"status":"error","errors":[{errorCode, message, propertyPath, invalidValue, error_code, property_path,
// invalid_value}]}` (both spellings, as the real API sends them). Handlers return these as values.

export interface ApiError {
  readonly httpStatus: number
  readonly errorCode: string
  readonly message: string
  readonly propertyPath?: string | null
  readonly invalidValue?: unknown
}

export interface ApiReply {
  readonly httpStatus: number
  readonly body: unknown
  readonly headers?: Readonly<Record<string, string>>
}

export const apiError = (
  httpStatus: number,
  errorCode: string,
  message: string,
  propertyPath: string | null = null,
  invalidValue: unknown = null,
): ApiError => ({ httpStatus, errorCode, message, propertyPath, invalidValue })

export const errorBody = (e: ApiError) => ({
  status: 'error',
  errors: [
    {
      errorCode: e.errorCode,
      message: e.message,
      propertyPath: e.propertyPath ?? null,
      invalidValue: e.invalidValue ?? null,
      error_code: e.errorCode,
      property_path: e.propertyPath ?? null,
      invalid_value: e.invalidValue ?? null,
    },
  ],
})

export const errorReply = (e: ApiError): ApiReply => ({ httpStatus: e.httpStatus, body: errorBody(e) })

export const success = (data: unknown, extra: Record<string, unknown> = {}): ApiReply => ({
  httpStatus: 200,
  body: { status: 'success', data, ...extra },
})

/** Error codes the sandbox answers with; the first group is documented by Upstox, the rest by their endpoints. */
export const ERR = {
  notSupported: () => apiError(404, 'UDAPI10000', 'This request is not supported by Upstox API'),
  invalidToken: () => apiError(401, 'UDAPI100050', 'Invalid token used to access API'),
  expiredToken: (expiredAt: string) =>
    apiError(401, 'UDAPI100050', `Invalid token used to access API (token expired at ${expiredAt})`),
  tooManyRequests: () => apiError(429, 'UDAPI10005', 'Too Many Request Sent'),
  invalidCredentials: (path: string) => apiError(401, 'UDAPI100016', 'Invalid Credentials', path),
  invalidInput: (path: string | null, value: unknown, message = 'Invalid input passed to the API') =>
    apiError(400, 'UDAPI100038', message, path, value),
  internal: () => apiError(500, 'UDAPI100500', 'Something went wrong... please contact us'),
  orderNotFound: (orderId: unknown) => apiError(400, 'UDAPI100010', 'Order not found', 'order_id', orderId),
  orderIdRequired: () => apiError(400, 'UDAPI1023', 'Order id is required', 'order_id'),
  cancelNotAllowed: (orderId: string) =>
    apiError(
      400,
      'UDAPI100040',
      'Cancel of already cancelled/rejected/completed order is not allowed',
      'order_id',
      orderId,
    ),
  modifyNotAllowed: (orderId: string) =>
    apiError(
      400,
      'UDAPI100041',
      'Modify of already cancelled/rejected/completed order is not allowed',
      'order_id',
      orderId,
    ),
  orderTypeRequired: () => apiError(400, 'UDAPI1004', 'Valid order type is required', 'order_type'),
  orderTypeInvalid: (v: unknown) => apiError(400, 'UDAPI1056', "The 'order_type' is invalid", 'order_type', v),
  validityRequired: () => apiError(400, 'UDAPI1007', 'Validity is required', 'validity'),
  validityInvalid: (v: unknown) => apiError(400, 'UDAPI1055', "The 'validity' is invalid", 'validity', v),
  invalidInstrument: (v: unknown) => apiError(400, 'UDAPI100011', 'Invalid Instrument key', 'instrument_key', v),
  serviceUnavailable: (status: number) => apiError(status, 'UDAPI100500', 'Something went wrong... please contact us'),
} as const
