/**
 * DNS-rebinding protection for the identity provider: a web page whose name resolves to
 * 127.0.0.1 reaches the IdP's port, but its requests carry the page's own Host. Only loopback
 * names (and the address the IdP is bound to) are served.
 */
import type { NextFunction, Request, Response } from 'express';

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]', '::1'];

export function hostGuard(boundHost: string) {
  const allowed = new Set([...LOOPBACK_NAMES, boundHost.toLowerCase()]);
  return (req: Request, res: Response, next: NextFunction): void => {
    const header = req.headers.host ?? '';
    const hostname = URL.parse(`http://${header}`)?.hostname.toLowerCase();
    if (hostname !== undefined && allowed.has(hostname)) {
      next();
      return;
    }
    res
      .status(403)
      .type('text/plain')
      .send(`Forbidden: Host "${header}" is not a local name of the Gatehouse identity provider (DNS-rebinding protection). Use http://127.0.0.1:<idp.port>.`);
  };
}
