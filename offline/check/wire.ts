/**
 * Protobuf encoding of resource properties (google.protobuf.Struct) for the analyzer calls,
 * written directly instead of through google-protobuf's Struct objects, which cost a quarter
 * of `keel check`'s time on large stacks. Two passes: sizes, then bytes into one buffer. The
 * bytes are ordinary protobuf: the pack decodes them with its own generated code
 * (test/offline/wire.test.ts compares both encodings).
 */
import type { Json } from "../values";

const varintSize = (n: number): number => (n < 0x80 ? 1 : n < 0x4000 ? 2 : n < 0x200000 ? 3 : n < 0x10000000 ? 4 : 5);
/** Size of a length-delimited field with a one-byte tag and a body of `n` bytes. */
const delimitedSize = (n: number): number => 1 + varintSize(n) + n;

/** Sizes of every Struct/Value/ListValue/entry body, in the order they are written. */
class Sizer {
  readonly sizes: number[] = [];

  value(v: Json): number {
    if (v === null) return 2;
    if (typeof v === "number") return 9;
    if (typeof v === "boolean") return 2;
    if (typeof v === "string") return delimitedSize(Buffer.byteLength(v));
    const slot = this.sizes.length;
    this.sizes.push(0);
    let body = 0;
    if (Array.isArray(v)) for (const e of v) body += delimitedSize(this.value(e));
    else body = this.structBody(v);
    this.sizes[slot] = body;
    return delimitedSize(body);
  }

  structBody(obj: Record<string, Json>): number {
    let body = 0;
    for (const key of Object.keys(obj)) {
      const v = obj[key];
      if (v === undefined) continue;
      const slot = this.sizes.length;
      this.sizes.push(0);
      const entry = delimitedSize(Buffer.byteLength(key)) + delimitedSize(this.value(v));
      this.sizes[slot] = entry;
      body += delimitedSize(entry);
    }
    return body;
  }
}

class Writer {
  private next = 0;
  pos = 0;

  constructor(
    readonly buf: Buffer,
    private readonly sizes: readonly number[],
  ) {}

  private byte(b: number): void {
    this.buf[this.pos++] = b;
  }

  private varint(n: number): void {
    let v = n;
    while (v > 0x7f) {
      this.byte((v & 0x7f) | 0x80);
      v >>>= 7;
    }
    this.byte(v);
  }

  private string(field: number, s: string): void {
    this.byte((field << 3) | 2);
    this.varint(Buffer.byteLength(s));
    this.pos += this.buf.write(s, this.pos, "utf8");
  }

  value(v: Json): void {
    if (v === null) {
      this.byte(1 << 3);
      this.byte(0);
    } else if (typeof v === "number") {
      this.byte((2 << 3) | 1);
      this.buf.writeDoubleLE(v, this.pos);
      this.pos += 8;
    } else if (typeof v === "string") {
      this.string(3, v);
    } else if (typeof v === "boolean") {
      this.byte(4 << 3);
      this.byte(v ? 1 : 0);
    } else if (Array.isArray(v)) {
      this.byte((6 << 3) | 2);
      this.varint(this.sizes[this.next++]);
      for (const e of v) this.element(e);
    } else {
      this.byte((5 << 3) | 2);
      this.varint(this.sizes[this.next++]);
      this.structBody(v);
    }
  }

  /** A ListValue element: field 1, a Value message. */
  private element(e: Json): void {
    this.byte((1 << 3) | 2);
    this.varint(valueSize(e, this.sizes, this.next));
    this.value(e);
  }

  structBody(obj: Record<string, Json>): void {
    for (const key of Object.keys(obj)) {
      const v = obj[key];
      if (v === undefined) continue;
      this.byte((1 << 3) | 2);
      this.varint(this.sizes[this.next++]);
      this.string(1, key);
      this.byte((2 << 3) | 2);
      this.varint(valueSize(v, this.sizes, this.next));
      this.value(v);
    }
  }
}

/** The encoded size of a Value whose nested sizes (if any) start at `sizes[next]`. */
function valueSize(v: Json, sizes: readonly number[], next: number): number {
  if (v === null || typeof v === "boolean") return 2;
  if (typeof v === "number") return 9;
  if (typeof v === "string") return delimitedSize(Buffer.byteLength(v));
  return delimitedSize(sizes[next]);
}

/** `base` (a serialized message without field `field`) followed by a Struct in `field`. */
export function withStruct(base: Uint8Array, field: number, obj: Record<string, Json>): Buffer {
  const sizer = new Sizer();
  const body = sizer.structBody(obj);
  const buf = Buffer.allocUnsafe(base.byteLength + 1 + varintSize(body) + body);
  buf.set(base, 0);
  const w = new Writer(buf, sizer.sizes);
  w.pos = base.byteLength;
  buf[w.pos++] = (field << 3) | 2;
  let n = body;
  while (n > 0x7f) {
    buf[w.pos++] = (n & 0x7f) | 0x80;
    n >>>= 7;
  }
  buf[w.pos++] = n;
  w.structBody(obj);
  return buf;
}

/** A repeated message field of already-encoded messages. */
export function repeated(field: number, messages: readonly Buffer[]): Buffer {
  const total = messages.reduce((s, m) => s + 1 + varintSize(m.length) + m.length, 0);
  const buf = Buffer.allocUnsafe(total);
  let pos = 0;
  for (const m of messages) {
    buf[pos++] = (field << 3) | 2;
    let n = m.length;
    while (n > 0x7f) {
      buf[pos++] = (n & 0x7f) | 0x80;
      n >>>= 7;
    }
    buf[pos++] = n;
    m.copy(buf, pos);
    pos += m.length;
  }
  return buf;
}
