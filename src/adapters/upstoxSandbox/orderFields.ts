import * as E from 'fp-ts/lib/Either.js'
import { type ApiError, ERR } from './restEnvelope.js'

// Decoding order requests from the wire (snake_case JSON) into checked values, with the error codes the real API
// uses for each field. What the venue decides (unknown instrument, quantity 0, price off the tick grid, funds)
// is not checked here: such orders are accepted and then `rejected`, as on Upstox.

export type OrderType = 'MARKET' | 'LIMIT' | 'SL' | 'SL-M'
export type Side = 'BUY' | 'SELL'
export type Product = 'I' | 'D' | 'MTF'
export type Validity = 'DAY' | 'IOC'

export interface PlaceRequest {
  readonly quantity: number
  readonly product: Product
  readonly validity: Validity
  readonly price: number
  readonly tag: string | undefined
  readonly instrumentToken: string
  readonly orderType: OrderType
  readonly transactionType: Side
  readonly disclosedQuantity: number
  readonly triggerPrice: number
  readonly isAmo: boolean
}

export interface ModifyRequest {
  readonly orderId: string
  readonly quantity: number | undefined
  readonly validity: Validity | undefined
  readonly price: number | undefined
  readonly orderType: OrderType | undefined
  readonly triggerPrice: number | undefined
  readonly disclosedQuantity: number | undefined
}

const ORDER_TYPES: readonly string[] = ['MARKET', 'LIMIT', 'SL', 'SL-M']
const VALIDITIES: readonly string[] = ['DAY', 'IOC']
const PRODUCTS: readonly string[] = ['I', 'D', 'MTF']
const SIDES: readonly string[] = ['BUY', 'SELL']
const ORDER_ID = /^[A-Za-z0-9-]{1,40}$/

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === 'object' && u !== null && !Array.isArray(u)

const num = (body: Record<string, unknown>, key: string, required: boolean): E.Either<ApiError, number | undefined> => {
  const v = body[key]
  if (v === undefined || v === null)
    return required ? E.left(ERR.invalidInput(key, null, `${key} is required`)) : E.right(undefined)
  return typeof v === 'number' && Number.isFinite(v)
    ? E.right(v)
    : E.left(ERR.invalidInput(key, v, `${key} must be a number`))
}

const oneOf = <A extends string>(
  body: Record<string, unknown>,
  key: string,
  allowed: readonly string[],
  missing: () => ApiError,
  invalid: (v: unknown) => ApiError,
): E.Either<ApiError, A> => {
  const v = body[key]
  if (v === undefined || v === null) return E.left(missing())
  return typeof v === 'string' && allowed.includes(v) ? E.right(v as A) : E.left(invalid(v))
}

export const decodePlaceRequest = (u: unknown): E.Either<ApiError, PlaceRequest> => {
  if (!isRecord(u)) return E.left(ERR.invalidInput(null, null, 'Request body must be a JSON object'))
  const quantity = num(u, 'quantity', true)
  if (E.isLeft(quantity)) return quantity
  const price = num(u, 'price', true)
  if (E.isLeft(price)) return price
  const trigger = num(u, 'trigger_price', true)
  if (E.isLeft(trigger)) return trigger
  const disclosed = num(u, 'disclosed_quantity', false)
  if (E.isLeft(disclosed)) return disclosed
  const orderType = oneOf<OrderType>(u, 'order_type', ORDER_TYPES, ERR.orderTypeRequired, ERR.orderTypeInvalid)
  if (E.isLeft(orderType)) return orderType
  const validity = oneOf<Validity>(u, 'validity', VALIDITIES, ERR.validityRequired, ERR.validityInvalid)
  if (E.isLeft(validity)) return validity
  const product = oneOf<Product>(
    u,
    'product',
    PRODUCTS,
    () => ERR.invalidInput('product', null, 'Product is required'),
    (v) => ERR.invalidInput('product', v, "The 'product' is invalid"),
  )
  if (E.isLeft(product)) return product
  const side = oneOf<Side>(
    u,
    'transaction_type',
    SIDES,
    () => ERR.invalidInput('transaction_type', null, 'Transaction type is required'),
    (v) => ERR.invalidInput('transaction_type', v, "The 'transaction_type' is invalid"),
  )
  if (E.isLeft(side)) return side
  const token = u.instrument_token
  if (typeof token !== 'string' || token.length === 0)
    return E.left(ERR.invalidInput('instrument_token', token ?? null, 'Instrument token is required'))
  const tag = u.tag
  if (tag !== undefined && tag !== null && (typeof tag !== 'string' || tag.length > 40))
    return E.left(ERR.invalidInput('tag', tag, 'tag accepts at most 40 characters'))
  const isAmo = u.is_amo
  if (isAmo !== undefined && isAmo !== null && typeof isAmo !== 'boolean')
    return E.left(ERR.invalidInput('is_amo', isAmo, 'is_amo must be a boolean'))
  return E.right({
    quantity: quantity.right!,
    product: product.right,
    validity: validity.right,
    price: price.right!,
    tag: typeof tag === 'string' ? tag : undefined,
    instrumentToken: token,
    orderType: orderType.right,
    transactionType: side.right,
    disclosedQuantity: disclosed.right ?? 0,
    triggerPrice: trigger.right!,
    isAmo: isAmo === true,
  })
}

export const decodeOrderId = (u: unknown): E.Either<ApiError, string> => {
  if (u === undefined || u === null || u === '') return E.left(ERR.orderIdRequired())
  if (typeof u !== 'string' || !ORDER_ID.test(u))
    return E.left(ERR.invalidInput('order_id', u, "Order id accepts only alphanumeric characters and '-'."))
  return E.right(u)
}

export const decodeModifyRequest = (u: unknown): E.Either<ApiError, ModifyRequest> => {
  if (!isRecord(u)) return E.left(ERR.invalidInput(null, null, 'Request body must be a JSON object'))
  const orderId = decodeOrderId(u.order_id)
  if (E.isLeft(orderId)) return orderId
  const validity = oneOf<Validity>(u, 'validity', VALIDITIES, ERR.validityRequired, ERR.validityInvalid)
  if (E.isLeft(validity)) return validity
  const orderType = oneOf<OrderType>(u, 'order_type', ORDER_TYPES, ERR.orderTypeRequired, ERR.orderTypeInvalid)
  if (E.isLeft(orderType)) return orderType
  const quantity = num(u, 'quantity', false)
  if (E.isLeft(quantity)) return quantity
  const price = num(u, 'price', true)
  if (E.isLeft(price)) return price
  const trigger = num(u, 'trigger_price', true)
  if (E.isLeft(trigger)) return trigger
  const disclosed = num(u, 'disclosed_quantity', false)
  if (E.isLeft(disclosed)) return disclosed
  return E.right({
    orderId: orderId.right,
    quantity: quantity.right,
    validity: validity.right,
    price: price.right,
    orderType: orderType.right,
    triggerPrice: trigger.right,
    disclosedQuantity: disclosed.right,
  })
}
