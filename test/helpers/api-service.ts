import { ApiService, ApiServiceArgs, KeelValidationError } from "../../components";
import { testPlatform } from "./platform";
import { synthesize } from "./synth";

/** The image the ApiService attempts use unless args give another. */
export const ATTEMPT_IMAGE = "ghcr.io/shop/api:1.4.2";

/**
 * Builds an ApiService with `args` (or the whole args object, from the platform) under mocks;
 * returns the lines of its validation error ([] when it was built) and the ApiService resources registered.
 */
export async function attemptApiService(args: Partial<ApiServiceArgs> | ((platform: ReturnType<typeof testPlatform>) => unknown), name = "api") {
  let lines: string[] = [];
  const s = await synthesize(() => {
    const platform = testPlatform();
    try {
      new ApiService(name, (typeof args === "function" ? args(platform) : { platform, image: ATTEMPT_IMAGE, ...args }) as ApiServiceArgs);
    } catch (err) {
      expect(err).toBeInstanceOf(KeelValidationError);
      lines = (err as Error).message.split("\n");
    }
  });
  return { lines, registered: s.resources.filter((r) => r.urn.includes("ApiService")) };
}
