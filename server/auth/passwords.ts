/** Password hashing with argon2id (the library's defaults: 64 MiB, 3 passes, 4 lanes). */
import argon2 from 'argon2';

export async function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, { type: argon2.argon2id });
}

let dummyHash: Promise<string> | null = null;

/**
 * Checks a password. With no hash (unknown username) a dummy hash is checked all the
 * same, so the answer takes as long and timing does not tell which usernames exist.
 */
export async function verifyPassword(hash: string | null, password: string): Promise<boolean> {
  dummyHash ??= hashPassword('not a real password, only for timing');
  const against = hash ?? (await dummyHash);
  try {
    return (await argon2.verify(against, password)) && hash !== null;
  } catch {
    return false;
  }
}
