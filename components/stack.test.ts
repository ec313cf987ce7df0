import { beforeEach, describe, expect, it } from "vitest";

import { testConfig } from "./config/test-fixtures.js";
import { opStack } from "./stack.js";
import { byName, installMocks, promiseOf, type Recorded, settle } from "./testing/pulumi-mocks.js";

let recorded: Recorded[];

beforeEach(() => {
  recorded = installMocks();
});

describe("the sepolia stack", () => {
  it("builds the graph", async () => {
    const { outputs } = opStack(testConfig(), { stack: "sepolia" });
    await promiseOf(outputs.l1Addresses);
    await settle(recorded);
    console.log(recorded.map((r) => `${r.type} ${r.name}`).join("\n"));
    expect(byName(recorded, "op-geth").type).toBe("docker:index/container:Container");
  });
});
