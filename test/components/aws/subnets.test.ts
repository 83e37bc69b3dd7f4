import { planSubnets, vpcCidrProblem } from "../../../components/aws/subnets";

const EXPECTED = 'expected an IPv4 CIDR from /16 to /20 in a private range (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16), such as "10.0.0.0/16"';

const bits = (address: string) => address.split(".").reduce((n, o) => n * 256 + Number(o), 0);
const range = (cidr: string) => {
  const [a, p] = cidr.split("/");
  return { start: bits(a), end: bits(a) + 2 ** (32 - Number(p)) - 1, prefix: Number(p) };
};

describe("vpcCidrProblem", () => {
  it("accepts aligned private /16 to /20 networks", () => {
    for (const cidr of ["10.0.0.0/16", "10.255.240.0/20", "172.16.0.0/16", "172.31.0.0/16", "172.31.240.0/20", "192.168.0.0/16", "192.168.16.0/20", "10.1.0.0/17"]) {
      expect(vpcCidrProblem(cidr)).toBeUndefined();
    }
  });

  it("says what is wrong after the rule", () => {
    expect(vpcCidrProblem("10.0.0.1/16")).toBe(`${EXPECTED}: 10.0.0.1/16 has host bits set (its network is 10.0.0.0/16)`);
    expect(vpcCidrProblem("10.0.16.0/20")).toBeUndefined();
    expect(vpcCidrProblem("10.0.8.0/20")).toBe(`${EXPECTED}: 10.0.8.0/20 has host bits set (its network is 10.0.0.0/20)`);
    expect(vpcCidrProblem("10.0.16.0/19")).toBe(`${EXPECTED}: 10.0.16.0/19 has host bits set (its network is 10.0.0.0/19)`);
    expect(vpcCidrProblem("10.0.0.0/8")).toBe(`${EXPECTED}: the prefix is /8`);
    expect(vpcCidrProblem("10.0.0.0/15")).toBe(`${EXPECTED}: the prefix is /15`);
    expect(vpcCidrProblem("10.0.0.0/21")).toBe(`${EXPECTED}: the prefix is /21`);
    expect(vpcCidrProblem("172.32.0.0/16")).toBe(`${EXPECTED}: 172.32.0.0/16 is not in a private range`);
    expect(vpcCidrProblem("172.15.0.0/16")).toBe(`${EXPECTED}: 172.15.0.0/16 is not in a private range`);
    expect(vpcCidrProblem("192.169.0.0/16")).toBe(`${EXPECTED}: 192.169.0.0/16 is not in a private range`);
    expect(vpcCidrProblem("100.64.0.0/16")).toBe(`${EXPECTED}: 100.64.0.0/16 is not in a private range`);
  });

  it("refuses what is not an IPv4 CIDR with the rule alone", () => {
    for (const value of [undefined, null, 16, "", "10.0.0.0", "10.0.0.0/", "010.0.0.0/16", "10.0.0.0/016", "256.0.0.0/16", "10.0.0.0/33", "fd00::/16", " 10.0.0.0/16", "10.0.0.0/16\n"]) {
      expect(vpcCidrProblem(value)).toBe(EXPECTED);
    }
  });
});

describe("planSubnets", () => {
  it("lays out 10.0.0.0/16 as three /18 private, /22 public and /22 data subnets", () => {
    expect(planSubnets("10.0.0.0/16", 3)).toEqual({
      private: ["10.0.0.0/18", "10.0.64.0/18", "10.0.128.0/18"],
      public: ["10.0.192.0/22", "10.0.196.0/22", "10.0.200.0/22"],
      data: ["10.0.208.0/22", "10.0.212.0/22", "10.0.216.0/22"],
    });
  });

  it("lays out a /20 with /22 private and /26 public and data subnets", () => {
    expect(planSubnets("172.16.16.0/20", 3)).toEqual({
      private: ["172.16.16.0/22", "172.16.20.0/22", "172.16.24.0/22"],
      public: ["172.16.28.0/26", "172.16.28.64/26", "172.16.28.128/26"],
      data: ["172.16.29.0/26", "172.16.29.64/26", "172.16.29.128/26"],
    });
  });

  const cases: [string, number][] = [];
  for (const cidr of ["10.0.0.0/16", "10.20.128.0/17", "172.31.0.0/18", "192.168.32.0/19", "10.255.240.0/20"]) for (let n = 1; n <= 6; n++) cases.push([cidr, n]);

  it.each(cases)("keeps %s with %d zones inside the VPC, without overlap, private largest, at least /28", (cidr, n) => {
    const plan = planSubnets(cidr, n);
    const vpc = range(cidr);
    const all = [...plan.private, ...plan.public, ...plan.data].map(range);
    expect([plan.private.length, plan.public.length, plan.data.length]).toEqual([n, n, n]);
    for (const r of all) {
      expect(r.start).toBeGreaterThanOrEqual(vpc.start);
      expect(r.end).toBeLessThanOrEqual(vpc.end);
      expect(r.start % 2 ** (32 - r.prefix)).toBe(0);
      expect(r.prefix).toBeLessThanOrEqual(28);
    }
    const sorted = [...all].sort((a, b) => a.start - b.start);
    for (let i = 1; i < sorted.length; i++) expect(sorted[i].start).toBeGreaterThan(sorted[i - 1].end);
    const sizes = (list: string[]) => new Set(list.map((c) => range(c).prefix));
    expect(sizes(plan.private).size).toBe(1);
    expect([...sizes(plan.public)]).toEqual([...sizes(plan.data)]);
    expect(range(plan.private[0]).prefix).toBeLessThan(range(plan.public[0]).prefix);
    expect(planSubnets(cidr, n)).toEqual(plan);
  });

  it("refuses what it cannot lay out", () => {
    expect(() => planSubnets("10.0.0.1/16", 3)).toThrow(`planSubnets: cidr is "10.0.0.1/16"; ${EXPECTED}: 10.0.0.1/16 has host bits set (its network is 10.0.0.0/16)`);
    expect(() => planSubnets("10.0.0.0/16", 0)).toThrow("planSubnets: azCount is 0; expected an integer from 1 to 6");
    expect(() => planSubnets("10.0.0.0/16", 7)).toThrow("planSubnets: azCount is 7; expected an integer from 1 to 6");
  });
});
