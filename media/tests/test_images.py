"""The contract's image rules, through a real endpoint (profile image, 2 MB)."""
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from media.images import ALLOWED_FORMATS
from testing.images import image_bytes

pytestmark = pytest.mark.django_db


def upload(auth_client, user, name, content, content_type="image/png"):
    return auth_client.patch(
        f"/profiles/{user.profile.id}/",
        {"image": SimpleUploadedFile(name, content, content_type=content_type)},
        format="multipart",
    )


def png_header_only(width, height):
    """A tiny PNG that claims huge dimensions: a decompression bomb's header."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00" * 64)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


@pytest.mark.parametrize("fmt, ext", [("JPEG", "jpg"), ("PNG", "png"), ("GIF", "gif"), ("WEBP", "webp")])
def test_each_allowed_format_is_accepted(auth_client, user, fmt, ext):
    response = upload(auth_client, user, f"pic.{ext}", image_bytes(fmt), ALLOWED_FORMATS[fmt][1])
    assert response.status_code == 200, response.content
    assert response.json()["image"].endswith(f".{ext}")


def test_image_over_2_mb_is_rejected(auth_client, user):
    big = image_bytes("PNG") + b"\x00" * (2 * 1024 * 1024)
    response = upload(auth_client, user, "big.png", big)
    assert response.status_code == 400
    assert response.json() == {"image": ["The image is too large: at most 2 MB is allowed."]}


def test_image_with_too_many_pixels_is_rejected(auth_client, user):
    response = upload(auth_client, user, "wide.png", image_bytes("PNG", size=(4097, 1)))
    assert response.status_code == 400
    assert response.json() == {"image": ["The image is too large: at most 4096×4096 pixels are allowed."]}


def test_decompression_bomb_is_rejected_before_decoding(auth_client, user):
    response = upload(auth_client, user, "bomb.png", png_header_only(60000, 60000))
    assert response.status_code == 400
    assert response.json() == {"image": ["The image is too large: at most 4096×4096 pixels are allowed."]}


def test_text_file_is_not_an_image(auth_client, user):
    response = upload(auth_client, user, "notes.txt", b"just some text", "text/plain")
    assert response.status_code == 400
    assert response.json() == {
        "image": ["Upload a valid image: this file is not a JPEG, PNG, GIF or WebP image."]
    }


def test_renamed_text_file_is_not_an_image(auth_client, user):
    response = upload(auth_client, user, "photo.jpg", b"I am text pretending to be a JPEG", "image/jpeg")
    assert response.status_code == 400
    assert response.json() == {
        "image": ["Upload a valid image: this file is not a JPEG, PNG, GIF or WebP image."]
    }


def test_truncated_image_is_rejected(auth_client, user):
    whole = image_bytes("JPEG", size=(256, 256), noise=True)
    response = upload(auth_client, user, "cut.jpg", whole[: len(whole) * 2 // 3], "image/jpeg")
    assert response.status_code == 400
    assert response.json() == {"image": ["The image file is truncated or corrupted and cannot be read."]}


def test_unsupported_real_image_format_is_rejected(auth_client, user):
    response = upload(auth_client, user, "old.bmp", image_bytes("BMP"), "image/bmp")
    assert response.status_code == 400
    assert response.json() == {"image": ["Unsupported image format BMP: use JPEG, PNG, GIF or WebP."]}


def test_empty_file_is_rejected(auth_client, user):
    response = upload(auth_client, user, "empty.png", b"")
    assert response.status_code == 400
    assert response.json() == {"image": ["The submitted file is empty."]}


def test_body_over_the_server_cap_is_413(auth_client, user, settings):
    settings.MAX_REQUEST_BODY_BYTES = 1024 * 1024
    response = upload(auth_client, user, "huge.png", image_bytes() + b"\x00" * (1024 * 1024))
    assert response.status_code == 413
    assert response.json() == {"detail": "Request body too large: at most 1 MB is accepted."}
