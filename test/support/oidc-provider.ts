import { createHash, randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import formBody from '@fastify/formbody';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';

interface PendingCode {
  clientId: string;
  redirectUri: string;
  nonce: string;
  challenge: string;
}

/**
 * A small OpenID Connect provider for tests, on this machine: discovery, authorisation (signs the
 * configured person straight in), token endpoint with PKCE, and its signing keys.
 */
export async function startTestOidcProvider(options: { clientId: string; clientSecret: string }) {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };
  const codes = new Map<string, PendingCode>();
  const person = { sub: 'person-1', email: 'analyst@camden.example', email_verified: true as boolean };
  const app = Fastify();
  await app.register(formBody);
  // Known once listening; the routes read it when called.
  let issuer = '';

  app.get('/.well-known/openid-configuration', () => ({
    issuer,
    authorization_endpoint: `${issuer}/authorize`,
    token_endpoint: `${issuer}/token`,
    jwks_uri: `${issuer}/jwks`,
    response_types_supported: ['code'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
    code_challenge_methods_supported: ['S256'],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
  }));
  app.get('/jwks', () => ({ keys: [jwk] }));
  app.get<{ Querystring: Record<string, string> }>('/authorize', (request, reply) => {
    const { client_id: clientId = '', redirect_uri: redirectUri = '', state = '', nonce = '', code_challenge: challenge = '' } = request.query;
    const code = randomBytes(16).toString('hex');
    codes.set(code, { clientId, redirectUri, nonce, challenge });
    return reply.redirect(`${redirectUri}?code=${code}&state=${encodeURIComponent(state)}&iss=${encodeURIComponent(issuer)}`, 302);
  });
  app.post<{ Body: Record<string, string> }>('/token', async (request, reply) => {
    const authorization = request.headers.authorization ?? '';
    const basic = Buffer.from(authorization.replace(/^Basic /, ''), 'base64').toString();
    // Either client_secret_basic or client_secret_post, as the client chooses.
    const [id, secret] = request.body.client_id ? [request.body.client_id, request.body.client_secret] : basic.split(':').map((part) => decodeURIComponent(part));
    const pending = codes.get(request.body.code ?? '');
    codes.delete(request.body.code ?? '');
    const verifier = request.body.code_verifier ?? '';
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    if (id !== options.clientId || secret !== options.clientSecret || !pending || pending.challenge !== challenge) {
      return reply.code(400).send({ error: 'invalid_grant' });
    }
    const idToken = await new SignJWT({ email: person.email, email_verified: person.email_verified, nonce: pending.nonce })
      .setProtectedHeader({ alg: 'RS256', kid: 'test-key' })
      .setIssuer(issuer)
      .setAudience(options.clientId)
      .setSubject(person.sub)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(privateKey);
    return { access_token: randomBytes(16).toString('hex'), token_type: 'Bearer', expires_in: 300, id_token: idToken };
  });

  await app.listen({ port: 0, host: '127.0.0.1' });
  issuer = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  return {
    issuer,
    /** Who the provider signs in next. */
    person,
    close: () => app.close(),
  };
}
