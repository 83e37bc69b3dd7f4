import { formatCpu, formatMemory, parseCpu, parseMemory } from "../../../components/core/quantities";

describe("parseCpu", () => {
  it.each([
    ["500m", 500],
    ["2000m", 2000],
    ["0.5", 500],
    ["2", 2000],
    [0.25, 250],
    [1, 1000],
  ])("reads %p as %p millicores", (q, m) => {
    expect(parseCpu(q)).toEqual({ ok: true, value: m });
  });

  it.each(["2Gi", "12 GB", "", "-1", "0", "0.0001", "1.5m", "abc"])("rejects %p", (q) => {
    expect(parseCpu(q).ok).toBe(false);
  });

  it("explains the accepted forms", () => {
    expect(parseCpu("2Gi")).toEqual({ ok: false, reason: 'expected cores ("0.5", "2") or millicores ("500m")' });
  });
});

describe("parseMemory", () => {
  it.each([
    ["512Mi", 512 * 2 ** 20],
    ["2Gi", 2 * 2 ** 30],
    ["500M", 500e6],
    ["1.5Gi", 1.5 * 2 ** 30],
    ["128974848", 128974848],
  ])("reads %p", (q, bytes) => {
    expect(parseMemory(q)).toEqual({ ok: true, value: bytes });
  });

  it("rejects \"12 GB\" and suggests the Kubernetes spelling", () => {
    expect(parseMemory("12 GB")).toEqual({ ok: false, reason: 'expected bytes with a unit such as "512Mi", "2Gi" or "500M" (did you mean "12Gi"?)' });
  });

  it("rejects \"256MB\" (seed 001 writes memory that way)", () => {
    expect(parseMemory("256MB")).toEqual({ ok: false, reason: 'expected bytes with a unit such as "512Mi", "2Gi" or "500M" (did you mean "256Mi"?)' });
  });

  it("rejects millibytes, the classic \"512m\" memory mistake", () => {
    expect(parseMemory("512m").ok).toBe(false);
  });

  it.each(["0", "-1Gi", "0.5"])("rejects %p", (q) => {
    expect(parseMemory(q).ok).toBe(false);
  });
});

describe("formatting", () => {
  it("formats CPU as Kubernetes users write it", () => {
    expect(formatCpu(500)).toBe("500m");
    expect(formatCpu(2000)).toBe("2");
  });

  it("formats memory with the largest binary unit", () => {
    expect(formatMemory(512 * 2 ** 20)).toBe("512Mi");
    expect(formatMemory(2 * 2 ** 30)).toBe("2Gi");
    expect(formatMemory(1.5 * 2 ** 30)).toBe("1536Mi");
  });
});
