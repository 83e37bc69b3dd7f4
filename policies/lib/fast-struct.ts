/**
 * Property values reach the pack as protobuf Structs. google-protobuf decodes each into a tree
 * of Struct/Value messages that @pulumi/policy then converts to plain JavaScript: a fifth of the
 * pack's time on large stacks. This decodes a Struct straight to the plain value, with the same
 * public BinaryReader the generated code uses, and answers `toJavaScript()` with it.
 */
import { fromAnalyzerStubs } from "./analyzer-stubs";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

interface Reader {
  nextField(): boolean;
  isEndGroup(): boolean;
  getFieldNumber(): number;
  skipField(): void;
  readString(): string;
  readDouble(): number;
  readBool(): boolean;
  readEnum(): number;
  readMessage<T>(message: T, read: (message: T, reader: Reader) => void): void;
}

function readStruct(reader: Reader): Record<string, Json> {
  const out: Record<string, Json> = {};
  while (reader.nextField() && !reader.isEndGroup()) {
    if (reader.getFieldNumber() !== 1) {
      reader.skipField();
      continue;
    }
    const entry: { key: string; value: Json } = { key: "", value: null };
    reader.readMessage(entry, readEntry);
    out[entry.key] = entry.value;
  }
  return out;
}

function readEntry(entry: { key: string; value: Json }, reader: Reader): void {
  while (reader.nextField() && !reader.isEndGroup()) {
    const field = reader.getFieldNumber();
    if (field === 1) entry.key = reader.readString();
    else if (field === 2) {
      const holder: { value: Json } = { value: null };
      reader.readMessage(holder, readValue);
      entry.value = holder.value;
    } else reader.skipField();
  }
}

function readValue(holder: { value: Json }, reader: Reader): void {
  while (reader.nextField() && !reader.isEndGroup()) {
    switch (reader.getFieldNumber()) {
      case 1:
        reader.readEnum();
        holder.value = null;
        break;
      case 2:
        holder.value = reader.readDouble();
        break;
      case 3:
        holder.value = reader.readString();
        break;
      case 4:
        holder.value = reader.readBool();
        break;
      case 5: {
        const nested: { value: Json } = { value: null };
        reader.readMessage(nested, (n, r) => (n.value = readStruct(r)));
        holder.value = nested.value;
        break;
      }
      case 6: {
        const list: { value: Json[] } = { value: [] };
        reader.readMessage(list, readList);
        holder.value = list.value;
        break;
      }
      default:
        reader.skipField();
    }
  }
}

function readList(list: { value: Json[] }, reader: Reader): void {
  while (reader.nextField() && !reader.isEndGroup()) {
    if (reader.getFieldNumber() !== 1) {
      reader.skipField();
      continue;
    }
    const holder: { value: Json } = { value: null };
    reader.readMessage(holder, readValue);
    list.value.push(holder.value);
  }
}

/** Installs the decoder on the google-protobuf the analyzer's generated code uses. */
export function decodeStructsDirectly(): void {
  const { Struct } = fromAnalyzerStubs<{ Struct: { deserializeBinaryFromReader(message: object, reader: Reader): object } }>("google-protobuf/google/protobuf/struct_pb");
  Struct.deserializeBinaryFromReader = (message: object, reader: Reader) => {
    const value = readStruct(reader);
    Object.defineProperty(message, "toJavaScript", { value: () => value });
    return message;
  };
}
