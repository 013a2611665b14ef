/**
 * A finetune id of the form `org-id/lora-name` (a LoRA another organization shares) through the
 * built CLI: `show` and `delete` send it unchanged, `list` prints it as it is.
 */
import { expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { TEST_KEY } from "../helpers/client.js";
import { json, useFaultServer } from "../helpers/fault-server.js";

const env = { BFL_API_KEY: TEST_KEY };
const server = useFaultServer();
const SHARED = "org-5f2c9a1e/studio-portraits_v2";

it("list, show and delete keep org-id/lora-name whole", async () => {
  server.reply((res, _n, req) => {
    if (req.url === "/v1/my_finetunes") return json(200, { finetunes: [SHARED] })(res);
    if (req.url.startsWith("/v1/finetune_details"))
      return json(200, { finetune_details: { finetune_id: SHARED } })(res);
    json(200, {
      status: "success",
      message: "deleted",
      deleted_finetune_id: SHARED,
      timestamp: "2026-12-06T12:00:00Z",
    })(res);
  });
  const [list, show, del] = await Promise.all([
    runCli(["list", "--base-url", server.url], { env }),
    runCli(["show", SHARED, "--base-url", server.url], { env }),
    runCli(["delete", SHARED, "--yes", "--base-url", server.url], { env }),
  ]);
  expect([list.code, show.code, del.code]).toEqual([0, 0, 0]);
  expect(list.stdout).toBe(`${SHARED}\n`);
  expect(show.stdout).toContain(SHARED);
  const details = server.requests.find((r) => r.url.startsWith("/v1/finetune_details"));
  expect(new URL(details?.url ?? "/", server.url).searchParams.getAll("finetune_id")).toEqual([SHARED]);
  const deletes = server.requests.filter((r) => r.url === "/v1/delete_finetune").map((r) => JSON.parse(r.body));
  expect(deletes).toEqual([{ finetune_id: SHARED }]);
});
