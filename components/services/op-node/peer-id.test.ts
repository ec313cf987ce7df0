import { describe, expect, it } from "vitest";

import { libp2pPeerId, opNodeMultiaddr } from "./peer-id.js";

describe("op-node's libp2p peer id", () => {
  it("matches the id js-libp2p derives for the same secp256k1 key", () => {
    // A published js-libp2p run: this raw key (compressed public key 03143d31…) gave this peer id.
    expect(libp2pPeerId("0xdb82e7408fbe37e0641087557f3535a34049d19d27f6939f43b47418cd981434")).toBe("16Uiu2HAmE1zdG92om3Y49m3ZeT5T3jAZCZ1w7JGWi93NWGRbjmW1");
  });

  it("differs per key and has the secp256k1 identity-multihash shape", () => {
    const a = libp2pPeerId(`0x${"11".repeat(32)}`);
    const b = libp2pPeerId(`0x${"12".repeat(32)}`);
    expect(a).not.toBe(b);
    for (const id of [a, b]) expect(id).toMatch(/^16Uiu2HA[1-9A-HJ-NP-Za-km-z]{45}$/);
  });

  it("builds the multiaddr from the advertised IP, else the host's name", () => {
    expect(opNodeMultiaddr({ address: "ecp-forge", advertiseIp: "203.0.113.10" }, 9222, "16Uiu2X")).toBe("/ip4/203.0.113.10/tcp/9222/p2p/16Uiu2X");
    expect(opNodeMultiaddr({ address: "ecp-forge.example" }, 9222, "16Uiu2X")).toBe("/dns4/ecp-forge.example/tcp/9222/p2p/16Uiu2X");
    expect(opNodeMultiaddr({ address: "198.51.100.7" }, 9333, "16Uiu2X")).toBe("/ip4/198.51.100.7/tcp/9333/p2p/16Uiu2X");
  });
});
