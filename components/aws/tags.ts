/** Tags on the AWS resources keel creates: the platform's own tags plus `Name` (what the console shows). */

/** AWS tags: key to value. */
export type AwsTags = Readonly<Record<string, string>>;

/** `tags` with `Name` set to `name` (a resource's own tag wins over none, never over the caller's). */
export function awsTags(tags: AwsTags, name: string): Record<string, string> {
  return { ...tags, Name: name };
}
