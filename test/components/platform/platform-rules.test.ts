import { platformProblems as problems } from "../../helpers/platform";

describe("KubernetesPlatform: names and labels it hands every component", () => {
  it("refuses StorageClass, IngressClass and ClusterIssuer names Kubernetes would refuse", () => {
    expect(problems({ storageClass: "Fast SSD", ingressController: { className: "nginx_public" }, clusterIssuer: "letsencrypt/prod" })).toEqual([
      'KubernetesPlatform "shop": storageClass is "Fast SSD"; expected a StorageClass name (lowercase letters, digits, \'-\' and \'.\', at most 253 characters)',
      'KubernetesPlatform "shop": ingressController.className is "nginx_public"; expected an IngressClass name (lowercase letters, digits, \'-\' and \'.\', at most 253 characters)',
      'KubernetesPlatform "shop": clusterIssuer is "letsencrypt/prod"; expected a ClusterIssuer name (lowercase letters, digits, \'-\' and \'.\', at most 253 characters)',
    ]);
    expect(problems({ storageClass: "gp3.encrypted", cluster: { storageClasses: ["local-path", "gp3.encrypted"] } })).toEqual([]);
  });

  it("refuses selector labels and a DNS port that cannot be", () => {
    expect(problems({ dns: { port: 70000, podLabels: { "k8s-app": "kube dns" } }, monitoring: { serviceMonitorLabels: { "release/x/y": "prom" } } })).toEqual([
      'KubernetesPlatform "shop": dns.port is 70000; expected a port from 1 to 65535',
      'KubernetesPlatform "shop": dns.podLabels.k8s-app is "kube dns"; expected letters, digits, \'-\', \'_\' and \'.\', starting and ending with a letter or digit (a label value)',
      'KubernetesPlatform "shop": monitoring.serviceMonitorLabels is "release/x/y"; expected [prefix/]name: an optional DNS subdomain prefix (at most 253 characters) and a name of at most 63 letters, digits, \'-\', \'_\' and \'.\', starting and ending with a letter or digit',
    ]);
  });

  it("refuses a user image that is not a pinned, valid reference", () => {
    expect(problems({ userImages: [{ reference: "ghcr.io/acme/app:latest", reason: "built by the app's CI pipeline" }, { reference: "ghcr.io/acme/app:1.0 ", reason: "built by the app's CI pipeline" }] })).toEqual([
      'KubernetesPlatform "shop": userImages[0].reference is "ghcr.io/acme/app:latest"; expected a pinned tag or digest; "latest" changes under a running Deployment',
      'KubernetesPlatform "shop": userImages[1].reference is "ghcr.io/acme/app:1.0 "; expected an image reference without spaces, newlines or control characters',
    ]);
  });
});
