// A real OpenID Connect provider for the console's single sign-on test: the certified
// `oidc-provider` package (installed by scripts/bootstrap.sh under var/node), one confidential
// client, and its development login form where the login name is the person's e-mail address.
// Usage: node provider.mjs PORT CLIENT_ID CLIENT_SECRET REDIRECT_URI
import { createRequire } from "node:module";
import path from "node:path";

const require = createRequire(path.resolve("var/node/package.json"));
const Provider = require("oidc-provider").default ?? require("oidc-provider");
const [port, clientId, clientSecret, redirectUri] = process.argv.slice(2);
const issuer = `http://127.0.0.1:${port}`;

const provider = new Provider(issuer, {
  clients: [{
    client_id: clientId,
    client_secret: clientSecret,
    redirect_uris: [redirectUri],
    response_types: ["code"],
    grant_types: ["authorization_code"],
  }],
  pkce: { required: () => true },
  claims: { openid: ["sub"], email: ["email", "email_verified"] },
  features: { devInteractions: { enabled: true } },
  cookies: { keys: ["console-test-cookie-key"] },
  async findAccount(ctx, id) {
    return {
      accountId: id,
      async claims() {
        return { sub: id, email: id, email_verified: !id.startsWith("unverified.") };
      },
    };
  },
});
provider.proxy = false;
provider.listen(Number(port), "127.0.0.1", () => console.log(`ready ${issuer}`));
