import type * as t from 'io-ts'
import { DomainEvent, EVENT_TYPES } from '../domain/events/index.js'

// Binary layouts for the payloads of every event but ticks and bars (which have hand-made ones), derived from the
// event's io-ts codec: one field per property of the payload's `t.type`/`t.partial` parts, in the codec's order, each
// written by kind:
//   s  string   u32 byte length | UTF-8
//   n  number   f64
//   b  boolean  u8
//   r  record of strings, numbers and booleans (a signal's metadata): u16 entries | per entry: u16 key byte length |
//      key | kind byte (s, n or b) | the value as above
//   j  anything else (arrays, nested objects): u32 byte length | its JSON text
// A record holds a u32 presence mask (bit i: field i is there), then the present fields in order.
//
// Decisions and order events were JSON records. Written this way they skip JSON.stringify and the UTF-8 count and
// copy of its text: ~1.5 us a record instead of ~2.5 (the 47,725 decisions of the backtest benchmark, one process, 2
// shared cores), and that benchmark's journal is 7% smaller. Reading them back costs about what JSON.parse did
// (utf8Text.ts's cache).
//
// A layout is a fact of the segment, not of today's code: the writer puts each layout it uses into the segment (a
// LAYOUT record, like the instrument dictionary) before the first record that needs it, and the reader reads a
// segment's records with the segment's layouts. A codec that gains, loses or reorders fields later still reads old
// journals; the codec then checks every payload read, as it does a JSON one.

export type FieldKind = 's' | 'n' | 'b' | 'r' | 'j'

/** What the writer needs of a payload codec; the reader needs only the names and kinds (`FieldList`). */
export interface PayloadLayout extends FieldList {
  readonly typeId: number
  /** Whether each field is required (a `t.type` property) or optional (a `t.partial` one). */
  readonly required: readonly boolean[]
  /** Each field's own codec guard: all of them passing is the payload codec's guard passing. */
  readonly checks: readonly ((v: unknown) => boolean)[]
  /** Field indexes of kind `j`, whose JSON text is produced before the record is sized. */
  readonly jsonFields: readonly number[]
}

export interface FieldList {
  readonly names: readonly string[]
  readonly kinds: readonly FieldKind[]
}

/** A presence mask is 32 bits. */
export const MAX_FIELDS = 32

/** What a field may be called: an identifier (every codec property is one), and never `__proto__`. */
const FIELD_NAME = /^[A-Za-z_$][A-Za-z0-9_$]*$/

const kindOf = (c: t.Mixed): FieldKind => {
  const any = c as t.Mixed & { _tag?: string; type?: t.Mixed; types?: t.Mixed[]; value?: unknown }
  switch (any._tag) {
    case 'StringType':
    case 'KeyofType':
      return 's'
    case 'NumberType':
      return 'n'
    case 'BooleanType':
      return 'b'
    case 'LiteralType':
      return typeof any.value === 'string' ? 's' : typeof any.value === 'number' ? 'n' : 'j'
    case 'RefinementType':
      return any.type === undefined ? 'j' : kindOf(any.type)
    case 'UnionType': {
      const kinds = new Set((any.types ?? []).map(kindOf))
      return kinds.size === 1 ? [...kinds][0]! : 'j'
    }
    default:
      return 'j'
  }
}

/** A record whose values are all strings, numbers or booleans: `r`. */
const isScalarRecord = (c: t.Mixed): boolean => {
  const any = c as t.Mixed & { _tag?: string; domain?: t.Mixed; codomain?: t.Mixed; types?: t.Mixed[] }
  if (any._tag !== 'DictionaryType' || any.domain === undefined || any.codomain === undefined) return false
  if (kindOf(any.domain) !== 's') return false
  const values =
    (any.codomain as t.Mixed & { _tag?: string; types?: t.Mixed[] })._tag === 'UnionType'
      ? ((any.codomain as unknown as { types: t.Mixed[] }).types ?? [])
      : [any.codomain]
  return values.every((v) => ['s', 'n', 'b'].includes(kindOf(v)))
}

interface Field {
  readonly name: string
  readonly required: boolean
  readonly codec: t.Mixed
}

/** The payload's fields, or undefined when the payload is not an object of named properties. */
const fieldsOf = (c: t.Mixed): Field[] | undefined => {
  const any = c as t.Mixed & { _tag?: string; props?: t.Props; types?: t.Mixed[]; type?: t.Mixed }
  switch (any._tag) {
    case 'InterfaceType':
    case 'PartialType':
      return Object.entries(any.props ?? {}).map(([name, codec]) => ({
        name,
        required: any._tag === 'InterfaceType',
        codec,
      }))
    case 'IntersectionType': {
      const parts = (any.types ?? []).map(fieldsOf)
      return parts.some((p) => p === undefined) ? undefined : (parts as Field[][]).flat()
    }
    default:
      return undefined
  }
}

const layoutOf = (typeId: number, codec: t.Mixed): PayloadLayout | undefined => {
  const fields = fieldsOf((codec as unknown as { props: { payload: t.Mixed } }).props.payload)
  if (fields === undefined || fields.length > MAX_FIELDS) return undefined
  // The reader takes only identifiers of at most 255 bytes (a u8 length) as field names.
  if (fields.some((f) => !FIELD_NAME.test(f.name) || f.name === '__proto__' || f.name.length > 255)) return undefined
  // A name given twice (in both parts of an intersection) would be written twice and read once.
  if (new Set(fields.map((f) => f.name)).size !== fields.length) return undefined
  const kinds = fields.map((f): FieldKind => (isScalarRecord(f.codec) ? 'r' : kindOf(f.codec)))
  return {
    typeId,
    names: fields.map((f) => f.name),
    kinds,
    required: fields.map((f) => f.required),
    checks: fields.map((f) => (v: unknown) => f.codec.is(v)),
    jsonFields: kinds.flatMap((k, i) => (k === 'j' ? [i] : [])),
  }
}

/** By type id: the layout the writer uses for that event type; undefined for ticks, bars and non-object payloads. */
export const WRITE_LAYOUTS: readonly (PayloadLayout | undefined)[] = DomainEvent.types.map((codec, typeId) => {
  const type = EVENT_TYPES[typeId]
  return type === 'TickReceived' || type === 'BarClosed' ? undefined : layoutOf(typeId, codec)
})

const KINDS: ReadonlySet<string> = new Set<FieldKind>(['s', 'n', 'b', 'r', 'j'])

/** A LAYOUT record's body after the kind byte: u8 type id | u8 field count | per field: u8 kind | u8 name length | name. */
export const layoutBytes = (layout: PayloadLayout): Buffer => {
  const parts: Buffer[] = [Buffer.from([layout.typeId, layout.names.length])]
  layout.names.forEach((name, i) => {
    const bytes = Buffer.from(name, 'utf8')
    parts.push(Buffer.from([layout.kinds[i]!.charCodeAt(0), bytes.length]), bytes)
  })
  return Buffer.concat(parts)
}

/** Reads a LAYOUT record's body `[at, end)`: its type id and fields, or why it is not a layout. */
export const readLayout = (
  buf: Buffer,
  at: number,
  end: number,
): { readonly typeId: number; readonly fields: FieldList } | string => {
  if (end - at < 2) return 'layout record too short'
  const typeId = buf[at]!
  const count = buf[at + 1]!
  if (EVENT_TYPES[typeId] === undefined) return `layout for unknown event type id ${typeId}`
  if (count > MAX_FIELDS) return `layout of ${count} fields (at most ${MAX_FIELDS})`
  const names: string[] = []
  const kinds: FieldKind[] = []
  let p = at + 2
  for (let i = 0; i < count; i++) {
    if (p + 2 > end) return 'layout record ends inside a field'
    const kind = String.fromCharCode(buf[p]!)
    const len = buf[p + 1]!
    if (!KINDS.has(kind)) return `layout field of unknown kind "${kind}"`
    if (p + 2 + len > end) return 'layout record ends inside a field name'
    const name = buf.toString('utf8', p + 2, p + 2 + len)
    // Every codec property is an identifier; `__proto__` would set the payload's prototype instead of a field.
    if (!FIELD_NAME.test(name) || name === '__proto__') return `layout field name "${name}" is not a property name`
    names.push(name)
    kinds.push(kind as FieldKind)
    p += 2 + len
  }
  if (p !== end) return 'layout record has bytes after its fields'
  return { typeId, fields: { names, kinds } }
}
