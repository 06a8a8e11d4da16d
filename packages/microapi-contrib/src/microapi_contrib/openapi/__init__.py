"""OpenAPI 3.1 for MicroAPI apps: the document as a dict, or served with a page for people.

`openapi_document(app, title=..., version=...)` describes every route (before start-up too);
`enable_openapi(app, path="/openapi.json", docs_path="/docs")` serves it and its page.
"""

from ._document import openapi_document
from ._page import enable_openapi

__all__ = ["enable_openapi", "openapi_document"]
