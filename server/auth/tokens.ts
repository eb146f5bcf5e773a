/**
 * API tokens: `lbt_<id>_<secret>`. The id finds the record; the secret is checked by
 * comparing SHA-256 digests in constant time, so neither stored data nor timing reveals it.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Role, TokenRole } from '../../shared/console';
import type { TokenRecord, TokenStore } from '../store/tokens';

export interface Principal {
  id: string;
  name: string;
  role: Role;
  /** How the caller proved who it is: an API token, or the console's session cookie. */
  via: 'token' | 'session';
}

const TOKEN_PATTERN = /^lbt_([a-f0-9]{16})_([A-Za-z0-9_-]{43})$/;

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

export function sameSecret(given: string, expectedDigest: Buffer): boolean {
  return timingSafeEqual(digest(given), expectedDigest);
}

export async function createToken(tokens: TokenStore, name: string, role: TokenRole): Promise<{ token: string; record: TokenRecord }> {
  const id = randomBytes(8).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  const record: TokenRecord = {
    id,
    name,
    role,
    createdAt: new Date().toISOString(),
    secretHash: digest(secret).toString('hex'),
  };
  await tokens.save(record);
  return { token: `lbt_${id}_${secret}`, record };
}

export class TokenVerifier {
  private readonly adminDigest: Buffer | null;

  constructor(
    private readonly tokens: TokenStore,
    adminToken: string | undefined,
  ) {
    this.adminDigest = adminToken ? digest(adminToken) : null;
  }

  /** The principal a bearer token stands for, or null when it is unknown or revoked. */
  async verify(token: string): Promise<Principal | null> {
    if (this.adminDigest && sameSecret(token, this.adminDigest)) {
      return { id: 'admin-token', name: 'Administrator', role: 'admin', via: 'token' };
    }
    const match = TOKEN_PATTERN.exec(token);
    if (!match?.[1] || !match[2]) return null;
    const record = await this.tokens.find(match[1]);
    if (!record) return null;
    if (!sameSecret(match[2], Buffer.from(record.secretHash, 'hex'))) return null;
    return { id: `token:${record.id}`, name: record.name, role: record.role, via: 'token' };
  }
}
