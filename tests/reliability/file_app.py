"""An app serving one big file, for the memory test under uvicorn (`MICROAPI_BIG_FILE`)."""

import os

from microapi import MicroAPI
from microapi.responses import FileResponse

app = MicroAPI()


@app.get("/big")
async def big() -> FileResponse:
    return FileResponse(os.environ["MICROAPI_BIG_FILE"])


@app.get("/.well-known/ready")
async def ready() -> dict[str, bool]:
    return {"ready": True}
