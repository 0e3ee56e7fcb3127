"""Uploaded images re-encoded from their pixels, so only the picture is kept: no EXIF (a phone's
GPS position, its owner's name), no text chunks, nothing appended after the image's end."""
from __future__ import annotations

import io
import threading
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from PIL import Image, ImageFile, ImageOps

from portal.kernel.errors import ValidationError
from portal.kernel.messages import say

MAX_PIXELS = 40_000_000  # a 600 dpi A4 colour scan is 35 megapixels
FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG"}
JPEG_QUALITY = 90


def reencoded(content: bytes, media_type: str, field: str) -> bytes:
    """The image `content` (JPEG or PNG) decoded and written again in its own format, turned
    upright as its EXIF said; ValidationError on `field` when it cannot be decoded or has more
    than MAX_PIXELS pixels (checked from its header, before decoding: a small file can claim
    a huge picture)."""
    kind = FORMATS[media_type]
    try:
        with _whole_images_only(), warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content), formats=[kind]) as image:
                width, height = image.size
                if width * height > MAX_PIXELS:
                    raise _too_large(field, width, height)
                image.load()
                return _written(ImageOps.exif_transpose(image), kind, image.info)
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise ValidationError({field: say("图片的像素太多，最多 %(most)s 万像素：请缩小后再上传", most=MAX_PIXELS // 10_000)}) from None
    except (OSError, SyntaxError, ValueError, EOFError):
        raise ValidationError({field: say("图片文件已损坏或不完整，无法打开：请重新扫描或导出后再上传")}) from None


_DECODING = threading.Lock()


@contextmanager
def _whole_images_only() -> Iterator[None]:
    """Pillow's LOAD_TRUNCATED_IMAGES off while an upload is decoded. WeasyPrint turns it on for
    the whole process (it pads a broken picture when printing), which would let a truncated or
    corrupt upload through as a grey patch. Printed sheets embed no raster image, so a PDF
    rendered meanwhile in another thread loses nothing; the lock keeps uploads from restoring
    each other's value."""
    with _DECODING:
        before = ImageFile.LOAD_TRUNCATED_IMAGES
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            yield
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = before


def _too_large(field: str, width: int, height: int) -> ValidationError:
    return ValidationError({field: say("图片太大（%(width)s×%(height)s 像素），最多 %(most)s 万像素：请缩小（例如扫描时选 200 dpi）后再上传",
                                       width=width, height=height, most=MAX_PIXELS // 10_000)})


def _written(image: Image.Image, kind: str, info: Mapping[Any, Any]) -> bytes:
    """Only the pixels and what shows them right (resolution, a palette's transparent colour)."""
    options: dict[str, object] = {}
    if isinstance(info.get("dpi"), tuple):
        options["dpi"] = info["dpi"]
    if kind == "JPEG":
        if image.mode not in ("L", "RGB", "CMYK"):
            image = image.convert("RGB")
        options.update(quality=JPEG_QUALITY, optimize=True)
    elif "transparency" in info:
        options["transparency"] = info["transparency"]
    out = io.BytesIO()
    image.save(out, kind, **options)
    return out.getvalue()
