"""Rate limits per token (or per client address without one), counted in the project's
cache, which fails open (minex/cache.py): while Redis is down every request goes through."""

from rest_framework.throttling import SimpleRateThrottle

from minex.client_address import client_ip

from .models import ApiToken


class TokenRateThrottle(SimpleRateThrottle):
    scope = "token"

    def get_cache_key(self, request, view):
        if not isinstance(request.auth, ApiToken):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}


class AnonymousRateThrottle(SimpleRateThrottle):
    scope = "anonymous"

    def get_cache_key(self, request, view):
        if isinstance(request.auth, ApiToken):
            return None
        return self.cache_format % {"scope": self.scope, "ident": client_ip(request)}
