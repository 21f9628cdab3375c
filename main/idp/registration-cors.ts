/**
 * CORS for the registration endpoint (RFC 7591), which oidc-provider serves without it. Browser
 * clients such as the MCP Inspector register from their own page. Registration is open to any
 * caller anyway, and the answer carries no cookie, so any origin may call it.
 */
import type { NextFunction, Request, Response } from 'express';

export function registrationCors(registrationPath: string) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const origin = req.get('origin');
    if (req.path !== registrationPath || origin === undefined) {
      next();
      return;
    }
    res.vary('Origin');
    res.set('Access-Control-Allow-Origin', origin);
    if (req.method === 'OPTIONS' && req.get('access-control-request-method')) {
      res.set({
        'Access-Control-Allow-Methods': 'POST',
        'Access-Control-Allow-Headers': req.get('access-control-request-headers') ?? 'Content-Type',
        'Access-Control-Max-Age': '600',
      });
      res.status(204).end();
      return;
    }
    next();
  };
}
