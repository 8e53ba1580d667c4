"""Single sign-on by OpenID Connect (authorization code with PKCE), a production setting:
the provider's verified e-mail address is looked up in the directory, and the person gets
the same session as after a mailed link. Set RTM_OIDC_ISSUER, RTM_OIDC_CLIENT_ID and
RTM_OIDC_CLIENT_SECRET; the redirect URI is RTM_PUBLIC_URL + /console/sso/callback."""

from __future__ import annotations

import asyncio
import base64
import hmac
import json
import logging
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web
from authlib.common.security import generate_token
from authlib.oauth2.rfc6749.parameters import prepare_grant_uri
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from starter.web.console.context import Console
from starter.web.console.render import Msg, render

log = logging.getLogger(__name__)

FLOW_COOKIE = "rtm_sso"
FLOW_TTL = 600
CALLBACK = "/console/sso/callback"


@dataclass
class OidcProvider:
    """The provider's endpoints (from its discovery document) and this app's client."""

    issuer: str
    client_id: str
    client_secret: str
    _meta: dict[str, Any] = field(default_factory=dict)
    _keys: KeySet | None = None

    async def meta(self, http: aiohttp.ClientSession) -> dict[str, Any]:
        if not self._meta:
            url = self.issuer.rstrip("/") + "/.well-known/openid-configuration"
            async with http.get(url) as r:
                r.raise_for_status()
                self._meta = await r.json()
            if self._meta.get("issuer") != self.issuer:
                raise ValueError("the discovery document names another issuer")
        return self._meta

    async def keys(self, http: aiohttp.ClientSession) -> KeySet:
        if self._keys is None:
            async with http.get((await self.meta(http))["jwks_uri"]) as r:
                r.raise_for_status()
                self._keys = KeySet.import_key_set(await r.json())
        return self._keys


def _fail(request: web.Request, why: str) -> web.Response:
    log.info("single sign-on refused: %s", why)
    return render(
        request,
        "error.html",
        403,
        title=Msg("Single sign-on failed"),
        message=Msg(
            "Your organisation's sign-in could not be used here. Please try "
            "again, or ask for a sign-in link by mail."
        ),
        retry=True,
    )


def verified_email(claims: dict[str, Any]) -> str | None:
    """The address the provider vouches for (email_verified true), else None."""
    email = claims.get("email")
    if not isinstance(email, str) or claims.get("email_verified") is not True:
        return None
    return email.strip().lower()


def add_oidc_routes(app: web.Application, console: Console, provider: OidcProvider) -> None:
    redirect_uri = console.settings.public_url + CALLBACK

    async def start(request: web.Request) -> web.StreamResponse:
        """To the provider, with state, nonce and a PKCE challenge kept in a signed cookie."""
        async with aiohttp.ClientSession() as http:
            meta = await provider.meta(http)
        state, nonce, verifier = generate_token(32), generate_token(32), generate_token(64)
        data = {"s": state, "n": nonce, "v": verifier, "t": int(time.time())}
        flow = base64.urlsafe_b64encode(json.dumps(data).encode()).decode()
        url = prepare_grant_uri(
            meta["authorization_endpoint"],
            provider.client_id,
            "code",
            redirect_uri=redirect_uri,
            scope="openid email",
            state=state,
            nonce=nonce,
            code_challenge=create_s256_code_challenge(verifier),
            code_challenge_method="S256",
        )
        resp = web.Response(status=303, headers={"Location": url})
        console.set_cookie(
            request, resp, FLOW_COOKIE, f"{console.mac('sso', flow)}.{flow}", max_age=FLOW_TTL
        )
        return resp

    def flow_of(request: web.Request) -> dict[str, Any] | None:
        mac, _, flow = request.cookies.get(FLOW_COOKIE, "").partition(".")
        if not flow or not hmac.compare_digest(mac, console.mac("sso", flow)):
            return None
        data: dict[str, Any] = json.loads(base64.urlsafe_b64decode(flow))
        return data if time.time() - data["t"] < FLOW_TTL else None

    async def callback(request: web.Request) -> web.StreamResponse:
        """Check state, trade the code (with the PKCE verifier), verify the ID token."""
        flow = flow_of(request)
        if flow is None or not secrets.compare_digest(request.query.get("state", ""), flow["s"]):
            return _fail(request, "state missing or not this browser's")
        code = request.query.get("code", "")
        if not code:
            return _fail(request, f"no code ({request.query.get('error', 'no error given')})")
        async with aiohttp.ClientSession() as http:
            meta = await provider.meta(http)
            form = {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": redirect_uri,
                "code_verifier": flow["v"],
            }
            auth = aiohttp.BasicAuth(provider.client_id, provider.client_secret)
            async with http.post(meta["token_endpoint"], data=form, auth=auth) as r:
                if r.status != 200:
                    return _fail(request, f"token endpoint answered {r.status}")
                tokens = await r.json()
            keys = await provider.keys(http)
            try:
                token = jwt.decode(tokens.get("id_token", ""), keys)
                jwt.JWTClaimsRegistry(
                    iss={"essential": True, "value": provider.issuer},
                    aud={"essential": True, "value": provider.client_id},
                    nonce={"essential": True, "value": flow["n"]},
                    exp={"essential": True},
                    sub={"essential": True},
                ).validate(token.claims)
            except (JoseError, ValueError) as exc:
                return _fail(request, f"ID token not valid: {exc}")
            claims = dict(token.claims)
            if "email" not in claims and meta.get("userinfo_endpoint"):
                # providers may keep the ID token small and give the rest at userinfo
                bearer = {"Authorization": f"Bearer {tokens.get('access_token', '')}"}
                async with http.get(meta["userinfo_endpoint"], headers=bearer) as r:
                    info = await r.json() if r.status == 200 else {}
                if info.get("sub") == claims["sub"]:
                    claims |= {k: info[k] for k in ("email", "email_verified") if k in info}
        email = verified_email(claims)
        person = None
        if email is not None:
            person = await asyncio.to_thread(console.sessions.person_by_email, email)
        if person is None or not await asyncio.to_thread(console.sessions.is_active, person.id):
            await console.audit(
                None,
                f"unverified:sso:{(email or '?')[:100]}",
                "console.signin_refused",
                {"via": "oidc"},
            )
            return _fail(request, "no verified address of someone in the directory")
        from starter.web.console.auth import OPEN_SESSION

        resp = await app[OPEN_SESSION](request, person.id, "oidc")
        resp.del_cookie(FLOW_COOKIE, path="/")
        return resp

    app.router.add_get("/console/sso", start)
    app.router.add_get(CALLBACK, callback)
