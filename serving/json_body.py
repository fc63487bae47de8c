"""Request bodies parsed by orjson: a route class for routes that take large JSON bodies.

A risk check's 10,000 pairs are ~0.5 MB of JSON; FastAPI parses a body with the standard
library's `json` on the event loop before validating it, about twice orjson's time. Routes
declared with `route_class=OrjsonRoute` get the same parse by orjson: the same Python values,
the same errors (a body that is not UTF-8 still fails as it did, before any JSON is read;
malformed JSON is still a located 422). `inline_schema` documents a body a route reads itself.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

import orjson
from fastapi import Request, Response
from fastapi.routing import APIRoute
from pydantic import BaseModel


class OrjsonRequest(Request):
    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            text = (await self.body()).decode("utf-8")  # UnicodeDecodeError as with `json`
            self._json = orjson.loads(text)  # JSONDecodeError: a subclass of json's
        return self._json


class OrjsonRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def with_orjson(request: Request) -> Response:
            return await handler(OrjsonRequest(request.scope, request.receive))

        return with_orjson


def inline_schema(model: type[BaseModel]) -> dict[str, Any]:
    """`model`'s JSON schema with its `$defs` written in place, for an `openapi_extra` request
    body (FastAPI puts only the models it validates itself into the document's components)."""
    schema = model.model_json_schema()
    definitions = schema.pop("$defs", {})

    def resolved(node: Any) -> Any:
        if isinstance(node, dict):
            reference = node.get("$ref", "")
            if reference.startswith("#/$defs/"):
                rest = {k: v for k, v in node.items() if k != "$ref"}
                return {**resolved(definitions[reference.removeprefix("#/$defs/")]), **rest}
            return {k: resolved(v) for k, v in node.items()}
        if isinstance(node, list):
            return [resolved(v) for v in node]
        return node

    return dict(resolved(schema))
