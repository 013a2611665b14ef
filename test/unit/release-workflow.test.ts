/**
 * The release workflow cannot run here; what can be checked is that it parses, publishes only
 * through npm's trusted publishing (OIDC, provenance, no long-lived token) and calls package
 * scripts that exist.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, string>;
  env?: Record<string, string>;
}
interface Job {
  permissions?: Record<string, string>;
  steps: Step[];
}

const text = readFileSync(".github/workflows/release.yml", "utf8");
const workflow = parse(text) as {
  on: { push: { branches: string[] } };
  permissions: unknown;
  jobs: Record<string, Job>;
};
const pkg = JSON.parse(readFileSync("package.json", "utf8")) as {
  scripts: Record<string, string>;
  publishConfig?: { provenance?: boolean };
};
const steps = Object.values(workflow.jobs).flatMap((job) => job.steps);
const changesets = steps.find((step) => step.uses?.startsWith("changesets/action@"));
/** Every command the workflow runs: `run:` steps and the changesets action's inputs. */
const commands = [...steps.flatMap((step) => (step.run ? [step.run] : [])), ...Object.values(changesets?.with ?? {})];

describe("the release workflow (.github/workflows/release.yml)", () => {
  it("runs the changesets action on main, versioning and publishing through package scripts", () => {
    expect(workflow.on.push.branches).toEqual(["main"]);
    expect(changesets?.with).toMatchObject({ version: "npm run version-packages", publish: "npm run release" });
  });

  it("calls only package scripts that exist", () => {
    const called = commands.flatMap((command) => [...command.matchAll(/\bnpm run ([\w:.-]+)/g)].map((m) => m[1]));
    expect(called).toContain("release");
    for (const name of called) expect(Object.keys(pkg.scripts), `npm run ${name}`).toContain(name);
  });

  it("versions and publishes with Changesets, and packing builds dist/", () => {
    expect(pkg.scripts["version-packages"]).toMatch(/^changeset version\b/);
    expect(pkg.scripts.release).toMatch(/^changeset publish\b/);
    expect(pkg.scripts.prepack).toBe("npm run build");
  });

  it("publishes with OIDC and provenance, from the one job that may, with no npm token", () => {
    expect(workflow.permissions).toEqual({});
    const publishing = Object.entries(workflow.jobs).filter(([, job]) => job.permissions?.["id-token"] === "write");
    expect(publishing.map(([name]) => name)).toEqual(["release"]);
    const [, job] = publishing[0] as [string, Job];
    expect(job.steps).toContain(changesets);
    // The job that holds the OIDC token runs no install scripts and no tests.
    expect(job.steps.flatMap((step) => (step.run ? [step.run] : []))).not.toContain("npm test");
    expect(job.steps.some((step) => step.run?.startsWith("npm ci") && step.run.includes("--ignore-scripts"))).toBe(
      true,
    );
    expect(changesets?.env?.NPM_CONFIG_PROVENANCE).toBe("true");
    expect(pkg.publishConfig?.provenance).toBe(true);
    expect(text).not.toMatch(/NPM_TOKEN\s*:|NODE_AUTH_TOKEN|secrets\.NPM/);
  });
});
