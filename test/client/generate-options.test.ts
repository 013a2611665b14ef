/** generateWithFinetune's own options are checked before the paid submit, like every other option. */
import { describe, expect, it } from "vitest";
import { BflConfigurationError, createBflClient } from "../../src/index.js";
import { createFakeBfl } from "../../src/testing/index.js";
import { TEST_KEY } from "../helpers/client.js";

describe("generateWithFinetune's onSubmitted", () => {
  it("when not a function: a configuration error before anything is sent (not a TypeError after paying)", async () => {
    const fake = createFakeBfl({ finetunes: ["ft"] });
    const server = await fake.listen();
    try {
      const client = createBflClient({ apiKey: TEST_KEY, baseUrl: server.url });
      const options = { onSubmitted: "console.log" } as unknown as Parameters<typeof client.generateWithFinetune>[2];
      const error = await client
        .generateWithFinetune("flux-pro-1.1-ultra-finetuned", { finetune_id: "ft", prompt: "a cat" }, options)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BflConfigurationError);
      expect(fake.requests).toEqual([]);
    } finally {
      await server.close();
    }
  });
});
