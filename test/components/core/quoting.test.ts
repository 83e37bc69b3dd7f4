import { execFileSync } from "child_process";
import { parse } from "yaml";
import {
  QuotingError,
  didYouMean,
  iniValue,
  jsonDocument,
  pgHbaField,
  postgresConfValue,
  propertiesKey,
  propertiesLines,
  propertiesValue,
  redisConfArg,
  redisConfLine,
  shellCommand,
  shellQuote,
  tomlString,
  unquotableReason,
  yamlDocument,
} from "../../../components/core/quoting";
import { HOSTILE, parseProperties, readPgValue, redisSplitArgs } from "../../helpers/config-parsers";

describe("shellQuote", () => {
  it("leaves words without special characters as they are and single-quotes the rest", () => {
    expect(shellQuote("/scripts/wal-archive.sh")).toBe("/scripts/wal-archive.sh");
    expect(shellQuote("retention.ms=86400000")).toBe("retention.ms=86400000");
    expect(shellQuote("")).toBe("''");
    expect(shellQuote("a b")).toBe("'a b'");
    expect(shellQuote("it's")).toBe("'it'\\''s'");
    expect(shellQuote("$(id)")).toBe("'$(id)'");
    expect(shellCommand(["echo", "a b", "c"])).toBe("echo 'a b' c");
  });

  it.each(HOSTILE)("the shell sees exactly %j as one word (dash and bash)", (value) => {
    for (const sh of ["sh", "bash"]) {
      const out = execFileSync(sh, ["-c", `printf '%s|' ${shellQuote(value)}`], { encoding: "utf8" });
      expect(out).toBe(`${value}|`);
    }
    const words = execFileSync("sh", ["-c", `for w in ${shellCommand([value, value])}; do printf '[%s]' "$w"; done`], { encoding: "utf8" });
    expect(words).toBe(`[${value}][${value}]`);
  });

  it("refuses NUL, which no argument can carry", () => {
    expect(() => shellQuote("a\0b")).toThrow(QuotingError);
    expect(() => shellQuote("a\0b")).toThrow('shell: cannot write "a\\u0000b": a NUL character cannot be carried by any configuration file or script');
  });
});

describe("postgresConfValue", () => {
  it("writes numbers and booleans bare and strings single-quoted with '' and backslash escapes", () => {
    expect(postgresConfValue(100)).toBe("100");
    expect(postgresConfValue(0.9)).toBe("0.9");
    expect(postgresConfValue(true)).toBe("on");
    expect(postgresConfValue(false)).toBe("off");
    expect(postgresConfValue("%m [%p] ")).toBe("'%m [%p] '");
    expect(postgresConfValue("it's")).toBe("'it''s'");
    expect(postgresConfValue("C:\\new")).toBe("'C:\\\\new'");
    expect(postgresConfValue("a\nfsync = off")).toBe("'a\\nfsync = off'");
    expect(postgresConfValue("\u0001")).toBe("'\\001'");
  });

  it.each(HOSTILE)("%j stays one value on one line and reads back as itself", (value) => {
    const text = postgresConfValue(value);
    expect(text).not.toMatch(/[\r\n]/);
    expect(readPgValue(text)).toBe(value);
  });

  it("refuses NUL and numbers that are not finite", () => {
    expect(() => postgresConfValue("a\0")).toThrow(QuotingError);
    expect(() => postgresConfValue(Number.NaN)).toThrow("postgresql.conf: cannot write \"NaN\": expected a finite number");
    expect(() => postgresConfValue(Infinity)).toThrow(QuotingError);
  });
});

describe("pgHbaField", () => {
  it("quotes keywords, separators and quotes (a quote doubled), and refuses line breaks", () => {
    expect(pgHbaField("replicator")).toBe("replicator");
    expect(pgHbaField("10.0.0.0/8")).toBe("10.0.0.0/8");
    expect(pgHbaField("fc00::/7")).toBe("fc00::/7");
    expect(pgHbaField("all")).toBe('"all"');
    expect(pgHbaField("replication")).toBe('"replication"');
    expect(pgHbaField("a b,c")).toBe('"a b,c"');
    expect(pgHbaField("+group")).toBe('"+group"');
    expect(pgHbaField("@file")).toBe('"@file"');
    expect(pgHbaField('say "x" #1')).toBe('"say ""x"" #1"');
    expect(() => pgHbaField("a\nhost all all 0.0.0.0/0 trust")).toThrow("pg_hba.conf: cannot write \"a\\nhost all all 0.0.0.0/0 trust\": pg_hba.conf has one record per line: a field cannot hold a line break");
    expect(() => pgHbaField("")).toThrow(QuotingError);
    expect(() => pgHbaField("\0")).toThrow(QuotingError);
  });
});

describe("Java .properties", () => {
  it("escapes keys as Properties.store does, and values only where load would read otherwise", () => {
    expect(propertiesKey("log.dirs")).toBe("log.dirs");
    expect(propertiesKey("a=b:c d#!")).toBe("a\\=b\\:c\\ d\\#\\!");
    expect(propertiesValue("PLAINTEXT://:9092")).toBe("PLAINTEXT://:9092");
    expect(propertiesValue(" lead")).toBe("\\ lead");
    expect(propertiesValue("a\nb=c")).toBe("a\\nb=c");
    expect(propertiesValue("C:\\dir\\")).toBe("C:\\\\dir\\\\");
    expect(propertiesValue("é✓")).toBe("\\u00E9\\u2713");
    expect(propertiesValue("🎉")).toBe("\\uD83C\\uDF89");
  });

  it.each(HOSTILE)("a key and a value %j read back as themselves, one setting per line", (value) => {
    const text = `${propertiesLines({ [value]: value, next: "kept" }).join("\n")}\n`;
    expect(text.split("\n").filter(Boolean)).toHaveLength(2);
    expect(parseProperties(text)).toEqual(new Map([[value, value], ["next", "kept"]]));
  });

  it("refuses NUL", () => {
    expect(() => propertiesValue("\0")).toThrow(QuotingError);
    expect(() => propertiesKey("\0")).toThrow(QuotingError);
  });
});

describe("INI", () => {
  it("writes plain values as they are, quotes blanks and comment characters, refuses what INI cannot hold", () => {
    expect(iniValue("admin")).toBe("admin");
    expect(iniValue("a b")).toBe("a b");
    expect(iniValue("")).toBe('""');
    expect(iniValue(" padded ")).toBe('" padded "');
    expect(iniValue("x;y#z")).toBe('"x;y#z"');
    expect(iniValue("C:\\path")).toBe("C:\\path");
    expect(iniValue('say "hi" now')).toBe('say "hi" now');
    expect(unquotableReason("ini", "a\nb")).toBe("an INI value is one line");
    expect(unquotableReason("ini", '"quoted')).toBe("INI has no escape: a value with a double quote cannot begin with it, begin or end with a blank, or hold ';' or '#'");
    expect(() => iniValue('a "b"; c')).toThrow(QuotingError);
    expect(() => iniValue("a\0")).toThrow(QuotingError);
  });
});

describe("TOML, YAML and JSON", () => {
  it.each(HOSTILE)("%j reads back as itself", (value) => {
    // TOML basic strings use a subset of JSON's escapes.
    expect(JSON.parse(tomlString(value))).toBe(value);
    expect(tomlString(value)).not.toMatch(/[\r\n]/);
    const doc = { [value]: [value, { nested: value }] };
    expect(parse(yamlDocument(doc))).toEqual(doc);
    expect(JSON.parse(jsonDocument(doc))).toEqual(doc);
  });

  it("refuses NUL anywhere in a document, keys included", () => {
    expect(() => yamlDocument({ a: ["ok", { b: "x\0" }] })).toThrow(QuotingError);
    expect(() => yamlDocument({ "k\0": 1 })).toThrow(QuotingError);
    expect(() => jsonDocument(["\0"])).toThrow(QuotingError);
    expect(() => tomlString("\0")).toThrow(QuotingError);
  });
});

describe("redis.conf", () => {
  it("writes safe words bare and quotes the rest with \\\\, \\\", \\n, \\r, \\t and \\xHH", () => {
    expect(redisConfArg("/data")).toBe("/data");
    expect(redisConfArg("allkeys-lru")).toBe("allkeys-lru");
    expect(redisConfArg("")).toBe('""');
    expect(redisConfArg('a "b"\\')).toBe('"a \\"b\\"\\\\"');
    expect(redisConfArg("a\nrequirepass x")).toBe('"a\\nrequirepass x"');
    expect(redisConfArg("é")).toBe('"\\xc3\\xa9"');
    expect(redisConfLine("dir", "/data dir")).toBe('dir "/data dir"');
    expect(() => redisConfLine("dir\nrequirepass", "x")).toThrow(QuotingError);
    expect(() => redisConfArg("\0")).toThrow(QuotingError);
  });

  it.each(HOSTILE)("%j is one argument that reads back as itself", (value) => {
    const line = redisConfLine("dir", value, "next");
    expect(line).not.toMatch(/[\r\n]/);
    expect(redisSplitArgs(line)).toEqual(["dir", value, "next"]);
  });
});

describe("didYouMean", () => {
  it("names the closest candidate within a third of the name's length", () => {
    expect(didYouMean("shared_bufers", ["shared_buffers", "work_mem"])).toBe(' (did you mean "shared_buffers"?)');
    expect(didYouMean("WORK_MEM", ["shared_buffers", "work_mem"])).toBe(' (did you mean "work_mem"?)');
    expect(didYouMean("retention.msx", ["retention.ms", "retention.bytes"])).toBe(' (did you mean "retention.ms"?)');
    expect(didYouMean("completely_different", ["shared_buffers", "work_mem"])).toBe("");
  });
});
