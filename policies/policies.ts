import type { Policy } from "@pulumi/policy";

/** Every policy of the pack, in report order. */
export const policies: readonly Policy[] = [];
