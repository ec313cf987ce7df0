/**
 * op-node's libp2p identity. op-node takes its P2P key as 32 raw bytes in hex (`--p2p.priv.raw` /
 * OP_NODE_P2P_PRIV_RAW, or the file at `--p2p.priv.path`: mono@op-node/v1.19.1-rc.1 op-node/p2p/cli/load_config.go
 * loadNetworkPrivKey/parsePriv), a secp256k1 key. Its peer id is the libp2p one (libp2p/specs peer-ids.md): the
 * protobuf PublicKey {Type: Secp256k1 = 2, Data: the 33-byte compressed key} is 37 bytes, under 42, so the id is
 * its identity multihash (0x00, length), in base58btc: "16Uiu2…".
 */
import { base58 } from "@scure/base";
import { type Hex, hexToBytes } from "viem";
import { privateKeyToAccount } from "viem/accounts";

export function libp2pPeerId(privateKey: Hex): string {
  const uncompressed = hexToBytes(privateKeyToAccount(privateKey).publicKey); // 0x04 ‖ x ‖ y
  const y = uncompressed[64]!;
  const compressed = [y & 1 ? 0x03 : 0x02, ...uncompressed.slice(1, 33)];
  const publicKeyProto = [0x08, 0x02, 0x12, compressed.length, ...compressed];
  return base58.encode(Uint8Array.from([0x00, publicKeyProto.length, ...publicKeyProto]));
}

/** The multiaddr a verifier dials: `/ip4/<ip>` when op-node advertises an IP, else `/dns4/<host>`. */
export function opNodeMultiaddr(host: { address: string; advertiseIp?: string }, port: number, peerId: string): string {
  const where = host.advertiseIp !== undefined ? `/ip4/${host.advertiseIp}` : /^\d+\.\d+\.\d+\.\d+$/.test(host.address) ? `/ip4/${host.address}` : `/dns4/${host.address}`;
  return `${where}/tcp/${port}/p2p/${peerId}`;
}
