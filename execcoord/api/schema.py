"""The OpenAPI schema's additions to drf-spectacular: the token scheme, the problem
responses every operation may give, and sensitive fields as optional (a reader whose role
may not see one gets the record without it)."""

from drf_spectacular import openapi
from drf_spectacular.extensions import OpenApiAuthenticationExtension

from execcoord.api.serializers import SENSITIVE, ProblemSerializer

PROBLEM_CODES = {
    "400": "Invalid request: the fields' messages in `errors`.",
    "401": "No valid token or session.",
    "403": "Not allowed: the reason in `detail`.",
    "404": "No such record, or one you may not see.",
    "409": "Stale version or a state that refuses the request.",
    "415": "The body is not of the media type the operation takes.",
    "429": "Too many requests for this token; `Retry-After` says when to retry.",
}


class AutoSchema(openapi.AutoSchema):
    """Every operation documents the problem responses it may give
    (``application/problem+json``)."""

    def _get_response_bodies(self, direction="response"):
        bodies = super()._get_response_bodies(direction)
        if direction != "response":
            return bodies
        codes = ["401", "403", "404", "429"]
        if self.method in ("POST", "PUT", "PATCH"):
            codes += ["400", "409", "415"]
        elif self.method == "DELETE":
            codes += ["409"]
        elif self.method == "GET":
            codes += ["400"]  # a wrong filter or cursor
        ref = self.resolve_serializer(ProblemSerializer, "response").ref
        for code in codes:
            bodies.setdefault(
                code,
                {
                    "content": {"application/problem+json": {"schema": ref}},
                    "description": PROBLEM_CODES[code],
                },
            )
        return bodies


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = "execcoord.api.authentication.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal API token (your name menu → API tokens).",
        }


def postprocess(result, generator, request, public):
    """Sensitive fields are optional in the responses' components."""
    for name, schema in result.get("components", {}).get("schemas", {}).items():
        hidden = SENSITIVE.get(name)
        if hidden and "required" in schema:
            schema["required"] = [f for f in schema["required"] if f not in hidden]
            if not schema["required"]:
                del schema["required"]
    return result
