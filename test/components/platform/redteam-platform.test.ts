import { KubernetesPlatform, PostgresCluster } from "../../../components";
import { platformProblems as problems } from "../../helpers/platform";
import { synthesize } from "../../helpers/synth";

const P = 'KubernetesPlatform "shop": ';
const SYSTEM = "expected a namespace of your own: \"default\" and every \"kube-*\" namespace belong to Kubernetes (keel would set their Pod Security labels and deny all traffic in them, cutting off what runs there, e.g. CoreDNS)";

describe("KubernetesPlatform: system namespaces", () => {
  it("refuses default and every kube-* namespace for any tier", () => {
    expect(problems({ namespaces: { app: "default", data: "kube-public", storage: "kube-node-lease", monitoring: "kube-system" } })).toEqual([
      `${P}namespaces.app is "default"; ${SYSTEM}`,
      `${P}namespaces.data is "kube-public"; ${SYSTEM}`,
      `${P}namespaces.storage is "kube-node-lease"; ${SYSTEM}`,
      `${P}namespaces.monitoring is "kube-system"; ${SYSTEM}`,
    ]);
    expect(problems({ namespaces: { app: "defaults", data: "kubernetes-data" } })).toEqual([]);
  });
});

describe("KubernetesPlatform: cluster facts are checked where they are given", () => {
  it("refuses CIDRs that are not IPv4 or IPv6 CIDRs", () => {
    expect(problems({ cluster: { apiServer: { cidrs: ["1.2.3.4/40", "fd00::/129"], port: 6443 }, podCidrs: ["999.0.0.0/8", "10.0.0.0", "10.0.0.0/08"] } })).toEqual([
      `${P}cluster.apiServer.cidrs[0] is "1.2.3.4/40"; expected an IPv4 prefix length from 0 to 32`,
      `${P}cluster.apiServer.cidrs[1] is "fd00::/129"; expected an IPv6 prefix length from 0 to 128`,
      `${P}cluster.podCidrs[0] is "999.0.0.0/8"; expected an IPv4 or IPv6 CIDR such as "10.244.0.0/16" or "fd00::/64"`,
      `${P}cluster.podCidrs[1] is "10.0.0.0"; expected an IPv4 or IPv6 CIDR such as "10.244.0.0/16" or "fd00::/64"`,
      `${P}cluster.podCidrs[2] is "10.0.0.0/08"; expected an IPv4 prefix length from 0 to 32`,
    ]);
    expect(problems({ cluster: { apiServer: { cidrs: ["172.18.0.0/16", "2001:db8::/32"], port: 6443 }, podCidrs: ["10.244.0.0/16", "fd00:10:244::/56"] } })).toEqual([]);
  });

  it("blames the platform, not a PostgresCluster, for a bad pod CIDR", async () => {
    let message = "";
    await synthesize(() => {
      try {
        const platform = new KubernetesPlatform("shop", { system: "shop", cluster: { podCidrs: ["10.0.0.0/99"] } });
        new PostgresCluster("db", { platform });
      } catch (err) {
        message = (err as Error).message;
      }
    });
    expect(message).toBe(`${P}cluster.podCidrs[0] is "10.0.0.0/99"; expected an IPv4 prefix length from 0 to 32`);
  });

  it("refuses a StorageClass the cluster does not list", () => {
    expect(problems({ storageClass: "fast", cluster: { storageClasses: ["standard"] } })).toEqual([
      `${P}storageClass is "fast"; expected one of the cluster's StorageClasses (cluster.storageClasses: "standard"): a claim naming a class that does not exist stays Pending`,
    ]);
    expect(problems({ storageClass: "standard", cluster: { storageClasses: ["standard"] } })).toEqual([]);
    // On EKS the platform creates the class it names.
    expect(problems({ storageClass: "gp3", cluster: { distribution: "eks", storageClasses: ["gp2"] } })).toEqual([]);
  });
});
