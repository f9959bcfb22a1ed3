"""Media done right (media/stored.py, media/cdn.py), on both storages: local files and
Cloudinary (its SDK against a local stand-in, testing/cloudinary.py).

- What is stored has no metadata (EXIF with GPS, XMP, comments, text chunks), is upright, keeps
  its colour profile, and is at most 2048 px (posts, messages) or 512 px (profiles) long.
- Replaced, removed and deleted images leave storage after commit (an account's deletion takes
  all of its images); a failed deletion waits for `purge_media` and is never the user's error.
"""
import io

import cloudinary
import pytest
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.management import CommandError, call_command
from django.db import transaction
from PIL import Image, ImageCms, ImageFile, ImageSequence, JpegImagePlugin, PngImagePlugin
from rest_framework.test import APIClient

from drf_api import background
from media.models import PendingFileDeletion
from media.stored import process_image
from messaging.models import Message
from posts.models import Post
from testing.cloudinary import cloudinary_stand_in
from testing.images import image_bytes
from users.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

GPS_LATITUDE = (48.0, 51.0, 29.0)
COMMENT = b"Taken at 12 Secret Street"
XMP = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:Description exif:GPSLatitude="48,51.48N"/></x:xmpmeta>'
SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def cloudinary_name(name):
    """A stored name's parts (version, public_id, format): media.cdn imports only once
    Cloudinary is configured."""
    from media.cdn import VERSIONED_NAME

    return VERSIONED_NAME.fullmatch(name)


class Storage:
    """Reads what the configured storage holds, and whether a name is still there."""

    def __init__(self, stand_in=None):
        self.stand_in = stand_in

    def stored_bytes(self, name):
        if self.stand_in is None:
            with default_storage.open(name) as file:
                return file.read()
        return self.stand_in.stored[cloudinary_name(name)["public_id"]]

    def holds(self, name):
        if self.stand_in is None:
            return default_storage.exists(name)
        return cloudinary_name(name)["public_id"] in self.stand_in.stored


@pytest.fixture(params=["local", "cloudinary"])
def storage(request, settings, monkeypatch):
    if request.param == "local":
        yield Storage()
        return
    saved = dict(cloudinary.config().__dict__)
    with cloudinary_stand_in() as stand_in:
        monkeypatch.setenv("CLOUDINARY_URL", f"cloudinary://key:secret@demo?upload_prefix={stand_in.url}")
        cloudinary.reset_config()
        settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "media.cdn.CloudinaryMediaStorage"}}
        try:
            yield Storage(stand_in)
        finally:
            cloudinary.config().__dict__.clear()
            cloudinary.config().__dict__.update(saved)


@pytest.fixture
def client(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def phone_photo(size=(600, 400), orientation=6):
    """A JPEG as a phone writes it: GPS position, orientation, comment, XMP and a colour profile.

    Its stored pixels are red on the top half and blue on the bottom; orientation 6 means "turn
    90° clockwise to show", so upright the left half is blue and the right half red.
    """
    image = Image.new("RGB", size, (220, 20, 20))
    image.paste((20, 20, 220), (0, size[1] // 2, size[0], size[1]))
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "PhoneMaker"
    exif.get_ifd(0x8825).update({1: "N", 2: GPS_LATITUDE, 3: "E", 4: (2.0, 17.0, 40.0)})
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif, comment=COMMENT, xmp=XMP, icc_profile=SRGB, quality=95)
    return buffer.getvalue()


def upload(name, content):
    file = io.BytesIO(content)
    file.name = name
    return file


def assert_no_metadata(content):
    for leak in (b"Exif", b"GPS", COMMENT, b"xmpmeta", b"adobe:ns:meta", b"PhoneMaker", b"Photoshop 3.0"):
        assert leak not in content, leak
    with Image.open(io.BytesIO(content)) as stored:
        assert not stored.getexif(), dict(stored.getexif())
        assert not {"exif", "xmp", "XML:com.adobe.xmp", "comment", "Comment", "Author"} & set(stored.info)


def test_a_phone_photo_is_stored_upright_without_its_gps_position(client, storage):
    response = client.post("/posts/", {"title": "Holiday", "image": upload("photo.jpg", phone_photo())},
                           format="multipart")
    assert response.status_code == 201, response.content
    assert (response.json()["image_width"], response.json()["image_height"]) == (400, 600)
    post = Post.objects.get()
    content = storage.stored_bytes(post.image.name)
    assert_no_metadata(content)
    with Image.open(io.BytesIO(content)) as stored:
        assert stored.format == "JPEG" and stored.size == (400, 600)  # turned upright
        assert stored.info["icc_profile"] == SRGB  # the colour profile stays
        left, right = stored.convert("RGB").getpixel((50, 300)), stored.convert("RGB").getpixel((350, 300))
    assert left[2] > 150 > left[0] and right[0] > 150 > right[2], (left, right)


def test_png_text_chunks_and_exif_are_dropped_and_transparency_kept(client, storage, user):
    image = Image.new("RGBA", (40, 30), (10, 200, 10, 255))
    image.putpixel((0, 0), (0, 0, 0, 0))
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", COMMENT.decode())
    info.add_itxt("XML:com.adobe.xmp", XMP.decode())
    exif = Image.Exif()
    exif.get_ifd(0x8825).update({1: "N", 2: GPS_LATITUDE})
    buffer = io.BytesIO()
    image.save(buffer, "PNG", pnginfo=info, exif=exif)
    response = client.patch(f"/profiles/{user.profile.id}/", {"image": upload("me.png", buffer.getvalue())},
                            format="multipart")
    assert response.status_code == 200, response.content
    user.profile.refresh_from_db()
    content = storage.stored_bytes(user.profile.image.name)
    assert_no_metadata(content)
    with Image.open(io.BytesIO(content)) as stored:
        assert stored.size == (40, 30) and stored.convert("RGBA").getpixel((0, 0))[3] == 0


@pytest.mark.parametrize(
    "where, size, expected",
    [("post", (3000, 1000), (2048, 683)), ("message", (100, 2100), (98, 2048)), ("profile", (1024, 1024), (512, 512)),
     ("post", (800, 600), (800, 600))],
)
def test_images_are_scaled_down_to_their_longest_side(client, storage, user, other_user, where, size, expected):
    content = Image.new("RGB", size, (90, 120, 200))
    buffer = io.BytesIO()
    content.save(buffer, "JPEG")
    image = upload("big.jpg", buffer.getvalue())
    if where == "post":
        response = client.post("/posts/", {"title": "Wide", "image": image}, format="multipart")
    elif where == "message":
        response = client.post(f"/messages/{other_user.id}/send/", {"image": image}, format="multipart")
    else:
        response = client.patch(f"/profiles/{user.profile.id}/", {"image": image}, format="multipart")
    assert response.status_code in (200, 201), response.content
    body = response.json()
    assert (body["image_width"], body["image_height"]) == expected
    name = {"post": lambda: Post.objects.get().image.name, "message": lambda: Message.objects.get().image.name,
            "profile": lambda: user.profile.__class__.objects.get(pk=user.profile.pk).image.name}[where]()
    with Image.open(io.BytesIO(storage.stored_bytes(name))) as stored:
        assert stored.size == expected


def test_an_upload_is_decoded_once(client, monkeypatch):
    """The clean copy is made while the upload is checked: the model's save does not decode it again."""
    decodes = []
    load = ImageFile.ImageFile.load

    def counting_load(image):
        if image.tile:  # pixels still to decode (a decoded image answers load() at once)
            decodes.append(image.format)
        return load(image)

    monkeypatch.setattr(ImageFile.ImageFile, "load", counting_load)
    response = client.post("/posts/", {"title": "Once", "image": upload("photo.jpg", phone_photo())},
                           format="multipart")
    assert response.status_code == 201, response.content
    assert decodes == ["JPEG"]


def test_without_an_image_the_dimensions_are_null(client):
    body = client.post("/posts/", {"title": "Words only"}, format="json").json()
    assert (body["image_width"], body["image_height"]) == (None, None)
    assert "/static/images/default_post." in body["image"]  # the default image, as before


def test_an_animated_gif_stays_animated_and_is_scaled(client, storage):
    frames = [Image.new("RGB", (2500, 100), color) for color in ((255, 0, 0), (0, 255, 0), (0, 0, 255))]
    buffer = io.BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:], duration=[100, 200, 300], loop=0,
                   comment=COMMENT)
    response = client.post("/posts/", {"title": "Blink", "image": upload("blink.gif", buffer.getvalue())},
                           format="multipart")
    assert response.status_code == 201, response.content
    content = storage.stored_bytes(Post.objects.get().image.name)
    assert COMMENT not in content
    with Image.open(io.BytesIO(content)) as stored:
        assert stored.is_animated and stored.n_frames == 3 and stored.size == (2048, 82)
        assert [frame.info["duration"] for frame in ImageSequence.Iterator(stored)] == [100, 200, 300]


def test_a_large_jpeg_is_decoded_at_a_reduced_scale(monkeypatch):
    """Draft mode: shrinking 4000 x 3000 to 512 px decodes it at 1/4 scale (1000 x 750)."""
    decoded = []
    draft = JpegImagePlugin.JpegImageFile.draft

    def spy(self, mode, size):
        result = draft(self, mode, size)
        decoded.append(self.size)
        return result

    monkeypatch.setattr(JpegImagePlugin.JpegImageFile, "draft", spy)
    buffer = io.BytesIO()
    Image.new("RGB", (4000, 3000), (1, 2, 3)).save(buffer, "JPEG")
    processed = process_image(upload("big.jpg", buffer.getvalue()), max_side=512)
    assert decoded == [(1000, 750)]
    assert (processed.width, processed.height) == (512, 384)


def test_replaced_removed_and_deleted_images_leave_storage(client, storage, django_capture_on_commit_callbacks):
    def image():
        return upload("a.png", phone_photo(size=(30, 20)))

    with django_capture_on_commit_callbacks(execute=True):
        post_id = client.post("/posts/", {"title": "T", "image": image()}, format="multipart").json()["id"]
    first = Post.objects.get().image.name
    with django_capture_on_commit_callbacks(execute=True):
        assert client.patch(f"/posts/{post_id}/", {"image": image()}, format="multipart").status_code == 200
    second = Post.objects.get().image.name
    assert second != first and not storage.holds(first) and storage.holds(second)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.patch(f"/posts/{post_id}/", {"image": None}, format="json").status_code == 200
    assert not storage.holds(second)
    assert Post.objects.get().image_width is None
    with django_capture_on_commit_callbacks(execute=True):
        client.patch(f"/posts/{post_id}/", {"image": image()}, format="multipart")
    third = Post.objects.get().image.name
    with django_capture_on_commit_callbacks(execute=True):
        assert client.delete(f"/posts/{post_id}/").status_code == 204
    assert not storage.holds(third)
    assert not PendingFileDeletion.objects.exists()


def test_a_deleted_message_and_a_chat_both_sides_deleted_lose_their_images(
    user, other_user, storage, django_capture_on_commit_callbacks
):
    alice, bob = APIClient(), APIClient()
    alice.force_authenticate(user)
    bob.force_authenticate(other_user)

    def send(text):
        image = upload("m.png", phone_photo(size=(30, 20)))
        with django_capture_on_commit_callbacks(execute=True):
            body = alice.post(f"/messages/{other_user.id}/send/", {"content": text, "image": image},
                              format="multipart").json()
        return Message.objects.get(pk=body["id"]).image.name

    deleted, kept, shared = send("delete me"), send("keep me"), send("later")
    with django_capture_on_commit_callbacks(execute=True):
        message = Message.objects.get(image=deleted)
        assert alice.delete(f"/messages/{message.id}/delete/").status_code == 204
    assert not storage.holds(deleted) and storage.holds(kept)
    with django_capture_on_commit_callbacks(execute=True):
        assert alice.delete(f"/chats/{other_user.id}/delete/").status_code == 204
    assert storage.holds(kept) and storage.holds(shared), "bob still sees them"
    with django_capture_on_commit_callbacks(execute=True):
        assert bob.delete(f"/chats/{user.id}/delete/").status_code == 204
    assert not storage.holds(kept) and not storage.holds(shared), "nobody sees them any more"
    assert not Message.objects.exists()


def test_deleting_a_user_deletes_their_images(user, client, storage, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.patch(f"/profiles/{user.profile.id}/", {"image": upload("me.jpg", phone_photo())}, format="multipart")
        client.post("/posts/", {"title": "T", "image": upload("p.jpg", phone_photo())}, format="multipart")
    names = [Post.objects.get().image.name, user.profile.__class__.objects.get(pk=user.profile.pk).image.name]
    assert all(storage.holds(name) for name in names)
    with django_capture_on_commit_callbacks(execute=True):
        user.delete()
    assert not any(storage.holds(name) for name in names)


def test_a_rolled_back_change_deletes_nothing(client, storage, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/posts/", {"title": "T", "image": upload("p.jpg", phone_photo())}, format="multipart")
    post = Post.objects.get()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                post.delete()
                raise RuntimeError("roll back")
        except RuntimeError:
            pass
    assert callbacks == [] and storage.holds(post.image.name)
    assert not PendingFileDeletion.objects.exists()


def test_a_failed_deletion_is_kept_and_purge_media_retries_it(client, storage, django_capture_on_commit_callbacks):
    """The storage refuses: the user still gets their 204; purge_media deletes the file later."""
    post_id = client.post("/posts/", {"title": "T", "image": upload("p.jpg", phone_photo())},
                          format="multipart").json()["id"]
    name = Post.objects.get().image.name
    refuse = refuse_deletions(storage)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.delete(f"/posts/{post_id}/").status_code == 204
    pending = PendingFileDeletion.objects.get()
    assert pending.name == name and pending.attempts == 1 and storage.holds(name)
    with pytest.raises(CommandError):
        call_command("purge_media", stdout=io.StringIO(), stderr=io.StringIO())
    pending.refresh_from_db()
    assert pending.attempts == 2 and refuse.message in pending.last_error
    refuse.stop()
    out = io.StringIO()
    call_command("purge_media", stdout=out)
    assert "1 deleted, 0 still failing" in out.getvalue()
    assert not storage.holds(name) and not PendingFileDeletion.objects.exists()


class refuse_deletions:
    """Make the storage refuse deletions: Cloudinary's stand-in answers 500; the local disk's
    deletions fail as an unmounted volume's would (Django's storage raises OSError)."""

    message = "refused"

    def __init__(self, storage):
        self.storage = storage
        self.patch = pytest.MonkeyPatch()
        if storage.stand_in is not None:
            storage.stand_in.failing = True
            self.message = "stand-in told to fail"
        else:
            def delete(storage, name):
                raise OSError(f"{self.message}: {name}")

            self.patch.setattr(FileSystemStorage, "delete", delete)

    def stop(self):
        if self.storage.stand_in is not None:
            self.storage.stand_in.failing = False
        self.patch.undo()


@pytest.mark.parametrize("storage", ["cloudinary"], indirect=True)
def test_cloudinary_urls_are_the_cdns_own_and_versioned(client, storage):
    body = client.post("/posts/", {"title": "T", "image": upload("p.jpg", phone_photo())}, format="multipart").json()
    name = Post.objects.get().image.name
    stored = cloudinary_name(name)
    assert body["image"] == (f"https://res.cloudinary.com/demo/image/upload/v{stored['version']}/"
                             f"{stored['public_id']}.jpg")
    assert stored["public_id"].startswith("media/images/posts/")


@pytest.mark.django_db(transaction=True)
def test_deleting_an_account_deletes_its_images_from_storage_and_no_one_elses(storage):
    """The account's profile, post and message images (sent and received) leave the storage, local
    disk or Cloudinary, once the deletion commits; the other person's own post image stays."""
    gone, other = UserFactory(), UserFactory()
    as_gone, as_other = APIClient(), APIClient()
    as_gone.force_authenticate(gone)
    as_other.force_authenticate(other)
    made = [
        as_gone.post("/posts/", {"title": "Mine", "image": upload("mine.png", image_bytes(size=(40, 24)))},
                     format="multipart"),
        as_gone.patch(f"/profiles/{gone.profile.id}/", {"image": upload("me.png", image_bytes(size=(30, 20)))},
                      format="multipart"),
        as_gone.post(f"/messages/{other.id}/send/", {"image": upload("sent.png", image_bytes(size=(50, 10)))},
                     format="multipart"),
        as_other.post(f"/messages/{gone.id}/send/", {"image": upload("got.png", image_bytes(size=(10, 50)))},
                      format="multipart"),
        as_other.post("/posts/", {"title": "Theirs", "image": upload("theirs.png", image_bytes(size=(24, 40)))},
                      format="multipart"),
    ]
    assert [response.status_code for response in made] == [201, 200, 201, 201, 201], [r.content for r in made]
    gone.profile.refresh_from_db()
    names = [Post.objects.get(owner=gone).image.name, gone.profile.image.name,
             *(message.image.name for message in Message.objects.all())]
    kept = Post.objects.get(owner=other).image.name
    assert all(storage.holds(name) for name in [*names, kept])

    response = as_gone.delete("/dj-rest-auth/user/", {"password": PASSWORD}, format="json")
    assert response.status_code == 204, response.content
    assert background.wait_idle()
    assert [name for name in names if storage.holds(name)] == []
    assert storage.holds(kept)
    assert not PendingFileDeletion.objects.exists()
