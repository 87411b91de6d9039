import { Provider } from '@nestjs/common';
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { ERROR_CODES } from '@shop/contracts';
import { AppConfig } from '../config/app.config';
import { ShopError } from '../errors/shop.error';
import { jwtSecret } from './auth.config';

const VERSION = 'v1';

/**
 * Seals a password for its trip over Kafka from the gateway to user-service
 * (AES-256-GCM, a fresh 12-byte IV each time, `v1.<iv>.<ciphertext+tag>` in base64url),
 * so a person reading `user.create` or `user.authenticate` sees no password. The key is
 * derived from JWT_SECRET with HKDF under its own label, so the two uses never share a key.
 */
export class SecretSeal {
  private readonly key: Buffer;

  constructor(secret: string) {
    this.key = Buffer.from(hkdfSync('sha256', secret, 'shop-rpc', 'password transport v1', 32));
  }

  seal(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const sealed = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return `${VERSION}.${iv.toString('base64url')}.${sealed.toString('base64url')}`;
  }

  /** The password, or 400 when the value was not sealed with this key (another JWT_SECRET, or tampered with). */
  open(sealed: string): string {
    const [version, iv, body] = sealed.split('.');
    try {
      if (version !== VERSION || !iv || !body) throw new Error('not sealed');
      const bytes = Buffer.from(body, 'base64url');
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(bytes.subarray(bytes.length - 16));
      return Buffer.concat([decipher.update(bytes.subarray(0, bytes.length - 16)), decipher.final()]).toString('utf8');
    } catch {
      throw new ShopError(400, ERROR_CODES.VALIDATION_FAILED, 'The password was not sealed with this system’s key (do the gateway and user-service share JWT_SECRET?)');
    }
  }
}

/** The one SecretSeal of an app that seals or opens passwords (the gateway, user-service), keyed by its JWT_SECRET. */
export const secretSealProvider: Provider = { provide: SecretSeal, useFactory: (config: AppConfig) => new SecretSeal(jwtSecret(config)), inject: [AppConfig] };
