/**
 * The VPC's address plan: pure, deterministic, decided at program time (NetworkPolicy ipBlocks and
 * security-group rules later use these CIDRs as plain strings).
 *
 * Layout of a /p VPC with n zones (n = 3: k = 2, so quarters; t = 2):
 *
 *   private  the first n blocks of /(p+k), k = ceil(log2(n+1)) — the large ones: with the VPC CNI
 *            every pod takes a VPC address from its node's subnet.
 *   rest     block n of /(p+k), split into four tier blocks of /(p+k+2):
 *              0 public  (NAT gateways, load balancers)     n subnets of /(p+k+2+t), t = ceil(log2 n)
 *              1 data    (RDS, ElastiCache, MSK; no route to the internet)   n subnets of the same size
 *              2, 3 spare (a later tier: transit, intra, ...)
 *
 * Each tier lies in one aligned block, so one CIDR covers all its subnets. For 10.0.0.0/16 and 3 zones:
 *   private 10.0.0.0/18, 10.0.64.0/18, 10.0.128.0/18                      (16,379 usable each)
 *   public  10.0.192.0/22, 10.0.196.0/22, 10.0.200.0/22   (in 10.0.192.0/20)  (1,019 usable each)
 *   data    10.0.208.0/22, 10.0.212.0/22, 10.0.216.0/22   (in 10.0.208.0/20)
 *   spare   10.0.220.0/22, 10.0.224.0/19
 * A /20 VPC gives /22 private and /26 public and data subnets (59 usable: room for NAT and load balancers).
 */

/** Smallest and largest VPC the plan supports: /16 is AWS's largest VPC CIDR; below /20 the public and data subnets get too small. */
export const VPC_PREFIX_MIN = 16;
export const VPC_PREFIX_MAX = 20;

/** RFC 1918 private IPv4 ranges. */
const PRIVATE_RANGES: readonly { readonly cidr: string; readonly base: number; readonly prefix: number }[] = [
  { cidr: "10.0.0.0/8", base: ip("10.0.0.0"), prefix: 8 },
  { cidr: "172.16.0.0/12", base: ip("172.16.0.0"), prefix: 12 },
  { cidr: "192.168.0.0/16", base: ip("192.168.0.0"), prefix: 16 },
];

const VPC_CIDR_EXPECTED = `expected an IPv4 CIDR from /${VPC_PREFIX_MIN} to /${VPC_PREFIX_MAX} in a private range (${PRIVATE_RANGES.map((r) => r.cidr).join(", ")}), such as "10.0.0.0/16"`;

/** Octets 0-255 in plain decimal (no leading zeros: some tools read them as octal), and a decimal prefix. */
const IPV4_CIDR = /^((?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3})\/(3[0-2]|[12]?\d)$/;

function ip(address: string): number {
  return address.split(".").reduce((n, octet) => n * 256 + Number(octet), 0);
}

function dotted(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join(".");
}

function blockSize(prefix: number): number {
  return 2 ** (32 - prefix);
}

function cidrOf(base: number, prefix: number): string {
  return `${dotted(base)}/${prefix}`;
}

/**
 * Why `cidr` cannot be keel's VPC CIDR, or undefined when it can: an IPv4 network address (no host
 * bits set) with a prefix from /16 to /20, inside 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16.
 * The message is {@link VPC_CIDR_EXPECTED}, then what is wrong after a colon when that helps.
 */
export function vpcCidrProblem(cidr: unknown): string | undefined {
  const m = typeof cidr === "string" ? IPV4_CIDR.exec(cidr) : null;
  if (!m) return VPC_CIDR_EXPECTED;
  const base = ip(m[1]);
  const prefix = Number(m[2]);
  if (prefix < VPC_PREFIX_MIN || prefix > VPC_PREFIX_MAX) return `${VPC_CIDR_EXPECTED}: the prefix is /${prefix}`;
  const network = base - (base % blockSize(prefix));
  if (network !== base) return `${VPC_CIDR_EXPECTED}: ${cidr} has host bits set (its network is ${cidrOf(network, prefix)})`;
  const inside = PRIVATE_RANGES.some((r) => prefix >= r.prefix && base - (base % blockSize(r.prefix)) === r.base);
  if (!inside) return `${VPC_CIDR_EXPECTED}: ${cidr} is not in a private range`;
  return undefined;
}

/** The subnets of one VPC: index i of each list is zone i. */
export interface SubnetPlan {
  readonly public: string[];
  readonly private: string[];
  readonly data: string[];
}

/** Most zones a plan lays out (AWS regions have at most 6). */
export const MAX_ZONES = 6;

/**
 * The public, private and data subnets of a VPC across `azCount` zones (see the layout above):
 * non-overlapping, inside `cidr`, the same for the same arguments. Throws on a CIDR
 * {@link vpcCidrProblem} refuses or a zone count outside 1 to {@link MAX_ZONES}.
 */
export function planSubnets(cidr: string, azCount: number): SubnetPlan {
  const problem = vpcCidrProblem(cidr);
  if (problem) throw new Error(`planSubnets: cidr is ${JSON.stringify(cidr)}; ${problem}`);
  if (!Number.isInteger(azCount) || azCount < 1 || azCount > MAX_ZONES) throw new Error(`planSubnets: azCount is ${azCount}; expected an integer from 1 to ${MAX_ZONES}`);
  const [address, p] = cidr.split("/");
  const vpcBase = ip(address);
  const vpcPrefix = Number(p);
  const bits = (count: number) => Math.ceil(Math.log2(count));

  const privatePrefix = vpcPrefix + bits(azCount + 1);
  const privateSize = blockSize(privatePrefix);
  const restBase = vpcBase + azCount * privateSize;
  const tierPrefix = privatePrefix + 2;
  const smallPrefix = tierPrefix + bits(azCount);
  const tier = (t: number) => Array.from({ length: azCount }, (_, i) => cidrOf(restBase + t * blockSize(tierPrefix) + i * blockSize(smallPrefix), smallPrefix));

  return {
    private: Array.from({ length: azCount }, (_, i) => cidrOf(vpcBase + i * privateSize, privatePrefix)),
    public: tier(0),
    data: tier(1),
  };
}
