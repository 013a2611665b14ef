/** Variants of the snapshot that the pull and diff tests serve, built from the real snapshot. */
import { readFileSync } from "node:fs";

// biome-ignore lint/suspicious/noExplicitAny: test documents are edited freely
type Doc = any;

export const current = (): Doc => JSON.parse(readFileSync("openapi/openapi.json", "utf8"));

/** Like the real upstream: model endpoints, a global server, and the finetune path on us1. */
export function upstream(): Doc {
  const doc = current();
  doc.servers = [{ url: "https://api.bfl.ai", description: "BFL API" }];
  doc.paths["/v1/delete_finetune"].post.servers = [{ url: "https://api.us1.bfl.ai", description: "BFL Finetune API" }];
  doc.paths["/v1/flux-pro-1.1"] = {
    post: {
      tags: ["Models"],
      summary: "Generate an image with FLUX 1.1 [pro]",
      operationId: "flux_pro_1_1",
      requestBody: {
        required: true,
        content: { "application/json": { schema: { $ref: "#/components/schemas/FluxPro11Inputs" } } },
      },
      responses: {
        "200": {
          description: "OK",
          content: { "application/json": { schema: { $ref: "#/components/schemas/AsyncResponse" } } },
        },
        "422": {
          description: "Validation Error",
          content: { "application/json": { schema: { $ref: "#/components/schemas/HTTPValidationError" } } },
        },
      },
      security: [{ APIKeyHeader: [] }],
    },
  };
  doc.paths["/v1/get_result"] = {
    get: {
      tags: ["Utility"],
      summary: "Get Result",
      operationId: "get_result",
      parameters: [{ name: "id", in: "query", required: true, schema: { type: "string" } }],
      responses: {
        "200": {
          description: "OK",
          content: { "application/json": { schema: { $ref: "#/components/schemas/ResultResponse" } } },
        },
      },
      security: [{ OtherAuth: [] }],
    },
  };
  Object.assign(doc.components.schemas, {
    FluxPro11Inputs: {
      type: "object",
      properties: { prompt: { type: "string" }, size: { $ref: "#/components/schemas/Size" } },
      required: ["prompt"],
    },
    Size: { type: "object", properties: { width: { type: "integer" }, height: { type: "integer" } } },
    AsyncResponse: {
      type: "object",
      properties: { id: { type: "string" }, polling_url: { type: "string" } },
      required: ["id"],
    },
    ResultResponse: { type: "object", properties: { status: { type: "string" } }, required: ["status"] },
  });
  doc.components.securitySchemes.OtherAuth = { type: "apiKey", in: "header", name: "x-other" };
  doc.tags = [{ name: "Utility" }, { name: "Models" }];
  doc.info.version = "1.4.2";
  return doc;
}

/** `finetune_id` renamed to `id`: breaks the client. */
export function renamed(): Doc {
  const doc = current();
  const inputs = doc.components.schemas.DeleteFinetuneInputs;
  inputs.properties = { id: inputs.properties.finetune_id };
  inputs.required = ["id"];
  return doc;
}

/** An optional field added to the 200 answer: harmless for the client. */
export function addedOptional(): Doc {
  const doc = current();
  doc.components.schemas.DeleteFinetuneResponse.properties.credits_refunded = {
    type: "integer",
    title: "Credits Refunded",
  };
  return doc;
}

/** The delete operation gone. */
export function withoutDelete(): Doc {
  const doc = upstream();
  delete doc.paths["/v1/delete_finetune"];
  return doc;
}
