import { BaseError } from "viem";
import { describe, expect, it } from "vitest";

import { failureText } from "./cli.js";

describe("failureText", () => {
  it("masks every URL (they can carry API keys), in plain errors and in viem's short messages", () => {
    expect(failureText(new Error("HTTP request failed. URL: https://sepolia.example.org/v3/secret-token status 429"))).toBe("HTTP request failed. URL: <url> status 429");
    const viem = new BaseError("Request to http://127.0.0.1:8545/key failed", { details: "https://x.example/secret" });
    expect(failureText(viem)).toBe("Request to <url> failed");
    expect(failureText("plain http://a.example/b")).toBe("plain <url>");
  });
});
