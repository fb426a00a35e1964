"""Flask's cookie session, opened only when the request brings the cookie.

Only the desk keeps anything in Flask's session (its flashed messages); every API
request would still have its signing serializer built (a key derivation, an HMAC set
up) to find that there is no cookie. With no cookie the session is a new empty one,
as Flask would make it; saving an empty, untouched session writes nothing either way.
"""

from __future__ import annotations

from flask.sessions import SecureCookieSessionInterface


class CookieSessions(SecureCookieSessionInterface):
    def open_session(self, app, request):
        if app.secret_key and self.get_cookie_name(app) not in request.cookies:
            return self.session_class()
        return super().open_session(app, request)

    def save_session(self, app, session, response) -> None:
        if not (session or session.modified or session.accessed):
            return  # what Flask's own does for it: nothing (no cookie, no Vary)
        super().save_session(app, session, response)
