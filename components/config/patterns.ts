/** The value shapes more than one config key checks: hosts, SSH identities, users. */

export const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
export const HOSTNAME = /^(?=.{1,253}$)([a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)(\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;
/** OpenSSH public host key as in known_hosts: `<type> <base64>` (comment allowed). */
export const SSH_HOST_KEY =
  /^(ssh-ed25519|ecdsa-sha2-nistp(256|384|521)|ssh-rsa|sk-ssh-ed25519@openssh\.com|sk-ecdsa-sha2-nistp256@openssh\.com) [A-Za-z0-9+/]+={0,3}( \S.*)?$/;
export const UNIX_USER = /^[a-z_][a-z0-9_-]{0,31}$/;
/** `user@host` or `user@host:port`. */
export const JUMP = /^([^@\s]+)@([^:@\s]+)(?::(\d{1,5}))?$/;

export function isHostAddress(s: unknown): s is string {
  return typeof s === "string" && (IPV4.test(s) || HOSTNAME.test(s));
}

/** `user@host[:port]` -> its parts, or undefined when it is not that shape. */
export function parseJump(s: unknown, defaultPort: number): { user: string; address: string; port: number } | undefined {
  const m = typeof s === "string" ? JUMP.exec(s) : null;
  if (m === null || !UNIX_USER.test(m[1]!) || !isHostAddress(m[2])) return undefined;
  const port = m[3] === undefined ? defaultPort : Number(m[3]);
  return port >= 1 && port <= 65535 ? { user: m[1]!, address: m[2]!, port } : undefined;
}

/** Private IPv4 ranges a host's metrics may be published on: RFC 1918 and the shared range of RFC 6598
 *  (100.64.0.0/10, which WireGuard and Tailscale networks use). */
export function isPrivateIpv4(s: unknown): s is string {
  if (typeof s !== "string" || !IPV4.test(s)) return false;
  const [a, b] = s.split(".").map(Number) as [number, number];
  return a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127);
}
