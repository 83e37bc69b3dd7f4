/**
 * Generates components/core/arg-shapes.generated.ts: a compact runtime description of every
 * component's constructor args, read from the TypeScript types with the compiler API, so that
 * `checkArgShape` (components/core/arg-shape.ts) can reject unknown keys and wrong shapes from
 * JavaScript callers, `as any` and JSON config with a field message instead of a TypeError.
 *
 *   npm run gen:arg-shapes             # rewrite the file
 *   npm run gen:arg-shapes -- --check  # exit 1 when the committed file is stale (npm run test:cli)
 *
 * Which components: every class exported from components/index.ts that extends Pulumi's
 * `ComponentResource` and is not abstract; its args type is the second parameter of its constructor.
 *
 * How a type becomes a shape (see `Shape` in components/core/arg-shape.ts):
 * - string / template literal → "s"; number → "n"; boolean → "b"; any / unknown → "*"
 * - string, number and boolean literals (and unions of them) → `{ e: [...] }`
 * - arrays, readonly arrays and tuples → `{ a: element }`
 * - objects (interfaces, type literals, mapped types such as `Partial<Record<Tier, T>>`) →
 *   `{ o: props, q: required keys }`, plus `x: value` for a string index signature;
 *   an object with only an index signature (`Record<string, T>`) → `{ r: value }`
 * - unions → `{ u: members }`; `undefined` members are dropped (optionality is `q`)
 * - `Promise`, `PromiseLike` and Pulumi's `Output` → "o": an Output or a Promise, never inspected.
 *   `pulumi.Input<T>` is the union T | Promise | Output and so becomes `{ u: [T, "o"] }`.
 * - opaque: a type declared as a class (Resources, Providers, every keel component, Pulumi's
 *   assets) → `{ c: "<ClassName>" }`: any object is accepted and not inspected, since only the
 *   class itself can vouch for its instances. A type with call or construct signatures → "f".
 * Objects keel constructs for the user (platforms, connections, peers, telemetry targets) are
 * interfaces, so they are checked like any other object: their required fields must be there
 * with the right shape. Unknown keys are an error in a plain object, except where the type is a
 * contract that other types declare they fulfil: an interface that a class `implements` or
 * another interface `extends` (NetworkEndpoint, KubernetesPlatformContext) is marked `open: 1`,
 * since a value of it may be any of those richer types. At run time an instance of a class (a
 * KubernetesPlatform passed as `platform`, an ApiService as a peer) is never closed either.
 *
 * Named interfaces and aliases are emitted once, in a definitions table, and referenced as
 * "#Name"; instantiations of generic types are inlined. The output is sorted and deterministic.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";

type Shape = string | { readonly [k: string]: unknown };

const ROOT = path.resolve(__dirname, "..");
const ENTRY = path.join(ROOT, "components/index.ts");
const OUT = path.join(ROOT, "components/core/arg-shapes.generated.ts");

function createChecker(): { program: ts.Program; checker: ts.TypeChecker } {
  const configPath = path.join(ROOT, "tsconfig.json");
  const parsed = ts.parseJsonConfigFileContent(ts.readConfigFile(configPath, ts.sys.readFile).config, ts.sys, ROOT);
  const program = ts.createProgram([ENTRY], { ...parsed.options, noEmit: true });
  return { program, checker: program.getTypeChecker() };
}

class ShapeWriter {
  /** Named definitions, by emitted name. */
  readonly defs = new Map<string, Shape>();
  private readonly nameOfType = new Map<ts.Type, string>();
  private readonly typeOfName = new Map<string, ts.Type>();

  constructor(
    private readonly checker: ts.TypeChecker,
    /** Interfaces some class implements or some interface extends: values may carry more members. */
    private readonly contracts: ReadonlySet<ts.Symbol>,
  ) {}

  /** The name a type is emitted under, when it is a named, non-generic interface or alias. */
  private nameFor(type: ts.Type): string | undefined {
    const alias = type.aliasSymbol;
    let name: string | undefined;
    if (alias) {
      if (type.aliasTypeArguments && type.aliasTypeArguments.length > 0) return undefined;
      name = alias.name;
    } else {
      const sym = type.getSymbol();
      if (!sym || !(sym.flags & (ts.SymbolFlags.Interface | ts.SymbolFlags.TypeAlias))) return undefined;
      const isReference = !!(type.flags & ts.TypeFlags.Object) && !!((type as ts.ObjectType).objectFlags & ts.ObjectFlags.Reference);
      if (isReference && this.checker.getTypeArguments(type as ts.TypeReference).length > 0) return undefined;
      name = sym.name;
    }
    if (!name || name.startsWith("__")) return undefined;
    let unique = name;
    for (let i = 2; this.typeOfName.has(unique) && this.typeOfName.get(unique) !== type; i++) unique = `${name}_${i}`;
    return unique;
  }

  private isDeferred(type: ts.Type): boolean {
    const names = [type.aliasSymbol?.name, type.getSymbol()?.name];
    if (names.some((n) => n === "Promise" || n === "PromiseLike" || n === "OutputInstance")) return true;
    if (type.aliasSymbol?.name === "Output" && this.fromPulumi(type.aliasSymbol)) return true;
    return type.isIntersection() && type.types.some((t) => this.isDeferred(t));
  }

  private fromPulumi(sym: ts.Symbol): boolean {
    return (sym.declarations ?? []).some((d) => d.getSourceFile().fileName.includes("@pulumi/pulumi"));
  }

  shapeOf(type: ts.Type): Shape {
    if (this.isDeferred(type)) return "o";
    if (type.isUnion() || this.isObjectLike(type)) {
      const name = this.nameFor(type);
      if (name) {
        if (!this.nameOfType.has(type)) {
          this.nameOfType.set(type, name);
          this.typeOfName.set(name, type);
          this.defs.set(name, "*"); // placeholder: recursive types refer to it by name
          this.defs.set(name, this.structural(type));
        }
        return `#${this.nameOfType.get(type)}`;
      }
    }
    return this.structural(type);
  }

  private isObjectLike(type: ts.Type): boolean {
    return !!(type.flags & ts.TypeFlags.Object) || type.isIntersection();
  }

  private structural(type: ts.Type): Shape {
    const f = type.flags;
    if (f & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return "*";
    if (f & (ts.TypeFlags.String | ts.TypeFlags.TemplateLiteral | ts.TypeFlags.StringMapping)) return "s";
    if (f & ts.TypeFlags.Number) return "n";
    if (f & ts.TypeFlags.Boolean) return "b";
    if (type.isStringLiteral() || type.isNumberLiteral()) return { e: [type.value] };
    if (f & ts.TypeFlags.BooleanLiteral) return { e: [(type as unknown as { intrinsicName: string }).intrinsicName === "true"] };
    if (type.isUnion()) return this.union(type.types);
    if (type.isIntersection() || f & ts.TypeFlags.Object) return this.object(type);
    return "*";
  }

  private union(types: readonly ts.Type[]): Shape {
    const members: Shape[] = [];
    const literals: (string | number | boolean)[] = [];
    let deferred = false;
    for (const t of types) {
      if (t.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Void)) continue;
      const s = this.shapeOf(t);
      if (s === "o") deferred = true;
      else if (typeof s === "object" && Array.isArray(s.e)) literals.push(...(s.e as (string | number | boolean)[]));
      else if (!members.some((m) => JSON.stringify(m) === JSON.stringify(s))) members.push(s);
    }
    if (literals.includes(true) && literals.includes(false)) {
      literals.splice(literals.indexOf(true), 1);
      literals.splice(literals.indexOf(false), 1);
      members.push("b");
    }
    if (literals.length > 0) members.push({ e: literals });
    if (deferred) members.push("o");
    return members.length === 1 ? members[0] : { u: members };
  }

  private object(type: ts.Type): Shape {
    const c = this.checker;
    const sym = type.getSymbol();
    if (sym && sym.flags & ts.SymbolFlags.Class) return { c: sym.name };
    if (type.isIntersection()) {
      const cls = type.types.find((t) => (t.getSymbol()?.flags ?? 0) & ts.SymbolFlags.Class);
      if (cls) return { c: cls.getSymbol()!.name };
    }
    if (c.isArrayType(type) || c.isTupleType(type)) {
      const args = c.getTypeArguments(type as ts.TypeReference);
      return { a: args.length === 1 ? this.shapeOf(args[0]) : this.union(args) };
    }
    if (type.getCallSignatures().length > 0 || type.getConstructSignatures().length > 0) return "f";
    const props: Record<string, Shape> = {};
    const required: string[] = [];
    for (const p of c.getPropertiesOfType(type)) {
      if (p.flags & ts.SymbolFlags.Method) {
        props[p.name] = "f";
        if (!(p.flags & ts.SymbolFlags.Optional)) required.push(p.name);
        continue;
      }
      props[p.name] = this.shapeOf(c.getTypeOfSymbol(p));
      if (!(p.flags & ts.SymbolFlags.Optional)) required.push(p.name);
    }
    const index = c.getIndexTypeOfType(type, ts.IndexKind.String);
    if (index && required.length === 0 && Object.keys(props).length === 0) return { r: this.shapeOf(index) };
    const out: Record<string, unknown> = { o: props };
    if (required.length > 0) out.q = required;
    if (index) out.x = this.shapeOf(index);
    if (sym && this.contracts.has(sym)) out.open = 1;
    return out;
  }
}

/** Every interface named in an `implements` or interface `extends` clause of keel's own sources. */
function contractsOf(program: ts.Program, checker: ts.TypeChecker): Set<ts.Symbol> {
  const found = new Set<ts.Symbol>();
  const visit = (node: ts.Node): void => {
    if (ts.isHeritageClause(node) && (node.token === ts.SyntaxKind.ImplementsKeyword || ts.isInterfaceDeclaration(node.parent))) {
      for (const t of node.types) {
        const sym = checker.getSymbolAtLocation(t.expression);
        const target = sym && sym.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(sym) : sym;
        if (target) found.add(target);
      }
    }
    ts.forEachChild(node, visit);
  };
  for (const file of program.getSourceFiles()) {
    if (file.fileName.startsWith(path.join(ROOT, "components"))) visit(file);
  }
  return found;
}

function extendsComponentResource(checker: ts.TypeChecker, type: ts.Type): boolean {
  for (const base of type.isClassOrInterface() ? (checker.getBaseTypes(type) ?? []) : []) {
    if (base.getSymbol()?.name === "ComponentResource" || extendsComponentResource(checker, base)) return true;
  }
  return false;
}

/** Renders the generated module. */
export function generate(): string {
  const { program, checker } = createChecker();
  const entry = program.getSourceFile(ENTRY);
  if (!entry) throw new Error(`cannot read ${ENTRY}`);
  const writer = new ShapeWriter(checker, contractsOf(program, checker));
  const components: Record<string, string> = {};
  const moduleSymbol = checker.getSymbolAtLocation(entry)!;
  const exported = checker.getExportsOfModule(moduleSymbol).map((s) => (s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s));
  for (const sym of exported.filter((s) => s.flags & ts.SymbolFlags.Class).sort((a, b) => a.name.localeCompare(b.name))) {
    const instance = checker.getDeclaredTypeOfSymbol(sym);
    const isAbstract = (sym.declarations ?? []).some((d) => ts.getCombinedModifierFlags(d) & ts.ModifierFlags.Abstract);
    if (isAbstract || !extendsComponentResource(checker, instance)) continue;
    const ctor = checker.getTypeOfSymbol(sym).getConstructSignatures()[0];
    const argsParam = ctor?.getParameters()[1];
    if (!argsParam) continue;
    const ref = writer.shapeOf(checker.getTypeOfSymbol(argsParam));
    if (typeof ref !== "string" || !ref.startsWith("#")) throw new Error(`${sym.name}: its args type must be a named interface`);
    components[sym.name] = ref.slice(1);
  }
  const defs = [...writer.defs.entries()].sort(([a], [b]) => a.localeCompare(b));
  const lines = [
    "// Generated by scripts/gen-arg-shapes.ts from the types in components/: do not edit.",
    "// Regenerate with `npm run gen:arg-shapes`; `npm run test:cli` fails when this file is stale.",
    'import type { Shape } from "./arg-shape";',
    "",
    "/** The args shape of every component, by component class name. */",
    `export const COMPONENT_ARGS: Readonly<Record<string, string>> = ${JSON.stringify(components)};`,
    "",
    "/** Named shapes (interfaces and aliases), referenced as \"#Name\". */",
    "export const ARG_SHAPES: Readonly<Record<string, Shape>> = {",
    ...defs.map(([name, shape]) => `  ${JSON.stringify(name)}: ${JSON.stringify(shape)},`),
    "};",
    "",
  ];
  return lines.join("\n");
}

/** A digest of every source the shapes come from (components/**.ts but the generated file, and this script). */
function inputsDigest(): string {
  const hash = crypto.createHash("sha256");
  const walk = (dir: string): string[] =>
    fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : e.name.endsWith(".ts") ? [path.join(dir, e.name)] : []));
  for (const file of [...walk(path.join(ROOT, "components")).filter((f) => f !== OUT), path.join(ROOT, "scripts", "gen-arg-shapes.ts")].sort()) hash.update(`${path.relative(ROOT, file)}\0${fs.readFileSync(file, "utf8")}\0`);
  return hash.digest("hex");
}

const DIGEST_LINE = /^\/\/ inputs: ([0-9a-f]{64})\n/m;

function main(): void {
  const check = process.argv.includes("--check");
  const current = fs.existsSync(OUT) ? fs.readFileSync(OUT, "utf8") : "";
  const digest = inputsDigest();
  // The sources are those the file was generated from: it is current without building a program.
  if (check && DIGEST_LINE.exec(current)?.[1] === digest) return;
  const text = generate().replace(/\n/, `\n// inputs: ${digest}\n`);
  const body = (t: string) => t.replace(DIGEST_LINE, "");
  if (check) {
    if (body(current) !== body(text)) {
      console.error(`${path.relative(ROOT, OUT)} is stale: the component args types changed. Run: npm run gen:arg-shapes`);
      process.exit(1);
    }
    return;
  }
  if (current !== text) fs.writeFileSync(OUT, text);
  console.log(`${path.relative(ROOT, OUT)}: ${text.length} bytes`);
}

main();
