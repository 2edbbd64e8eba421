// SHA-256 as hex, through node:crypto's one-shot hash() where the runtime has
// it (Node ≥ 20.12): no Hash object per call, which the request path (API key
// secrets, order request hashes) pays on every request.
import * as nodeCrypto from 'node:crypto';

const oneShot = (nodeCrypto as { hash?: (algorithm: string, data: string, encoding: 'hex') => string }).hash;

/** The SHA-256 of `text` (UTF-8) as lowercase hex. */
export function sha256(text: string): string {
  return oneShot !== undefined ? oneShot('sha256', text, 'hex') : nodeCrypto.createHash('sha256').update(text).digest('hex');
}
