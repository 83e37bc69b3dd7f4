/** KubernetesPlatform's `gp3StorageClasses`: more encrypted gp3 classes on eks (seed 003's fast-ssd), listed for components and the whole-stack checks. */
import { KubernetesPlatform, PostgresCluster } from "../../../components";
import { platformProblems } from "../../helpers/platform";
import { at, synthesize } from "../../helpers/synth";

const eks = { storageClass: "gp3", cluster: { distribution: "eks" as const } };

describe("KubernetesPlatform gp3StorageClasses", () => {
  it("creates each class on eks: encrypted gp3 with its IOPS, retained, bound when a pod is scheduled", async () => {
    let platform: KubernetesPlatform | undefined;
    const s = await synthesize(() => {
      platform = new KubernetesPlatform("shop", { system: "shop", ...eks, gp3StorageClasses: [{ name: "fast-ssd", iops: 3000 }] });
      new PostgresCluster("db", { platform, storage: { size: "100Gi", storageClass: "fast-ssd" } });
    });
    const sc = s.object("StorageClass", "fast-ssd") as unknown as Record<string, unknown>;
    expect(sc).toMatchObject({ provisioner: "ebs.csi.aws.com", parameters: { type: "gp3", encrypted: "true", iops: "3000" }, reclaimPolicy: "Retain", volumeBindingMode: "WaitForFirstConsumer", allowVolumeExpansion: true });
    // The platform's own class is still created.
    expect(s.object("StorageClass", "gp3")).toBeDefined();
    expect(at(s.object("StatefulSet", "db-primary"), "spec.volumeClaimTemplates.0.spec.storageClassName")).toBe("fast-ssd");
    expect(platform?.facts.storageClasses?.names).toEqual(expect.arrayContaining(["gp3", "fast-ssd"]));
  });

  it("lists them with the cluster's classes, so a component may name them", async () => {
    let platform: KubernetesPlatform | undefined;
    await synthesize(() => {
      platform = new KubernetesPlatform("shop", { system: "shop", ...eks, cluster: { distribution: "eks", storageClasses: ["efs-sc"] }, gp3StorageClasses: [{ name: "fast-ssd" }] });
    });
    expect(platform?.kubernetes.storageClasses).toEqual(["efs-sc", "gp3", "fast-ssd"]);
  });

  it("explains bad input per field", () => {
    expect(platformProblems({ cluster: { distribution: "kind" }, gp3StorageClasses: [{ name: "fast-ssd" }] })).toEqual([
      'KubernetesPlatform "shop": gp3StorageClasses is ["fast-ssd"]; expected cluster.distribution "eks": keel creates gp3 classes on the EBS CSI driver only',
    ]);
    expect(platformProblems({ ...eks, gp3StorageClasses: [{ name: "Fast_SSD" }, { name: "gp3" }, { name: "io", iops: 20000 }] })).toEqual([
      'KubernetesPlatform "shop": gp3StorageClasses[0].name is "Fast_SSD"; expected a StorageClass name (lowercase letters, digits, \'-\' and \'.\', at most 253 characters)',
      'KubernetesPlatform "shop": gp3StorageClasses[1].name is "gp3"; expected a class the cluster does not have yet (not storageClass, cluster.storageClasses or an earlier entry)',
      'KubernetesPlatform "shop": gp3StorageClasses[2].iops is 20000; expected an integer from 3000 to 16000 (gp3\'s baseline and most)',
    ]);
  });
});
