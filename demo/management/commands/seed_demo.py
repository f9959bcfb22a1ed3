"""Fill the database with a realistic, repeatable social graph for demos and local work.

Everything is derived from --seed, and every row is looked up before it is made, so running the
command again with the same options adds nothing. New users get random passwords, printed
once, unless --password asks for one known demo password.
"""
import io
import random
import secrets

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand
from django.db import transaction
from PIL import Image, ImageDraw
from rest_framework.exceptions import ValidationError

from comments.models import Comment
from followers.models import Follower
from likes.models import Like
from messaging.models import Message
from moderation.models import Report
from moderation.services import report_create
from posts.models import Post
from safety.models import Block, Mute
from safety.services import block_create, mute_create
from safety.visibility import apart

FIRST_NAMES = [
    "ada", "alan", "grace", "linus", "margaret", "dennis", "barbara", "ken", "radia", "tim",
    "frances", "guido", "hedy", "john", "katherine", "donald", "sophie", "edsger", "joan", "niklaus",
]
TOPICS = ["sunrise", "coffee", "mountains", "city lights", "the sea", "my garden", "old books", "street art"]
OPENERS = ["Loving", "Finally saw", "Nothing beats", "Another day with", "Caught", "Morning with"]
REMARKS = ["Beautiful!", "Where is this?", "Love the colours.", "So good.", "Wow.", "Take me there!"]
CHAT_LINES = [
    "Hey, how are you?", "Did you see my last post?", "Coffee this week?",
    "That photo is amazing, which filter was it?", "Talk soon!", "Haha, yes.",
]


class Command(BaseCommand):
    help = ("Create demo users, profiles, posts with generated images, comments, likes, follows, messages, "
            "a block, a mute and open reports.")

    def add_arguments(self, parser):
        parser.add_argument("--users", type=int, default=12, help="how many demo users (default 12)")
        parser.add_argument("--posts-per-user", type=int, default=3, help="posts per user (default 3)")
        parser.add_argument("--seed", type=int, default=2024, help="random seed: same seed, same data")
        parser.add_argument(
            "--password", help="give every new demo user this password instead of a random one each"
        )

    def handle(self, *args, users, posts_per_user, seed, password, **options):
        self.seed = seed
        self.progress_total = users * (2 + posts_per_user)
        self.progress_done = 0
        created_accounts = []
        with transaction.atomic():
            people = []
            for index in range(users):
                user, new_password = self._user(index, password)
                if new_password:
                    created_accounts.append((user.username, new_password))
                people.append(user)
                self._tick("users")
            for user in people:
                self._profile(user, self._rng(user.username, "profile"))
                for number in range(posts_per_user):
                    self._post(user, number, self._rng(user.username, "post", number))
                    self._tick("posts")
            posts = list(Post.objects.filter(owner__in=people).order_by("id"))
            for user in people:
                rng = self._rng(user.username, "social")
                others = [person for person in people if person != user]
                for followed in rng.sample(others, min(len(others), 3)):
                    if not apart(user.id, followed.id):  # the demo's block removed these
                        Follower.objects.get_or_create(owner=user, followed=followed)
                for post in rng.sample(posts, min(len(posts), 4)):
                    Like.objects.get_or_create(owner=user, post=post)
                for post in rng.sample(posts, min(len(posts), 2)):
                    Comment.objects.get_or_create(owner=user, post=post, content=rng.choice(REMARKS))
                for partner in rng.sample(others, min(len(others), 2)):
                    for line in rng.sample(CHAT_LINES, 2):
                        Message.objects.get_or_create(sender=user, recipient=partner, content=line)
                self._tick("social graph")
            if len(people) >= 4:
                self._safety(people, posts)
        self.stdout.write("")
        self._report(people, created_accounts, password)

    def _safety(self, people, posts):
        """One block, one mute and a few open reports, so that the moderation queue has work at
        once (through the services, as the API makes them: the block removes its follows)."""
        first, second, third, fourth = people[:4]
        if not Block.objects.filter(owner=first, blocked=people[-1]).exists():
            block_create(owner=first, blocked=people[-1])
        if not Mute.objects.filter(owner=first, muted=second).exists():
            mute_create(owner=first, muted=second)
        post = next(post for post in posts if post.owner_id == fourth.id)
        comment = Comment.objects.filter(owner__in=[second, third]).order_by("id").first()
        message = Message.objects.filter(recipient=second).first()
        wanted = [
            (third, "post", post, "spam", "Posted the same picture ten times today."),
            (second, "post", post, "other", ""),
            (fourth, "comment", comment, "harassment", "Keeps replying to me like this."),
            (second, "message", message, "spam", "A link I did not ask for."),
        ]
        for reporter, target_type, target, reason, note in wanted:
            if target is None or Report.objects.filter(reporter=reporter, target_type=target_type,
                                                       target_id=target.id).exists():
                continue
            try:
                report_create(reporter=reporter, target_type=target_type, target_id=target.id, reason=reason,
                              note=note)
            except ValidationError:
                continue  # not one this reporter can see (say, across the demo's block)

    def _rng(self, *key):
        """A random stream per thing made: skipping what exists never shifts the others."""
        return random.Random("-".join(map(str, (self.seed, *key))))

    def _user(self, index, password):
        name = FIRST_NAMES[index % len(FIRST_NAMES)]
        username = f"demo_{name}" if index < len(FIRST_NAMES) else f"demo_{name}{index // len(FIRST_NAMES)}"
        existing = get_user_model().objects.filter(username=username).first()
        if existing:
            return existing, None
        new_password = password or secrets.token_urlsafe(12)
        user = get_user_model().objects.create_user(
            username=username, email=f"{username}@example.com", password=new_password, first_name=name.title()
        )
        return user, new_password

    def _profile(self, user, rng):
        profile = user.profile
        if profile.name:
            return
        profile.name = user.first_name
        profile.content = f"Hi, I'm {user.first_name}. I post about {rng.choice(TOPICS)}."
        # Stored on save, as an upload is: processed, with its dimensions (media/stored.py).
        profile.image = ContentFile(generated_image(rng, (256, 256)), name=f"{user.username}.png")
        profile.save()

    def _post(self, user, number, rng):
        title = f"{rng.choice(OPENERS)} {rng.choice(TOPICS)} #{number + 1}"
        if Post.objects.filter(owner=user, title__endswith=f" #{number + 1}").exists():
            return
        post = Post(
            owner=user,
            title=title,
            content=f"{user.first_name} shares a moment.",
            image_filter=rng.choice(Post.ImageFilter.values),
        )
        post.image = ContentFile(generated_image(rng, (640, 480), "JPEG"), name=f"{user.username}-{number + 1}.jpg")
        post.save()

    def _tick(self, stage):
        self.progress_done += 1
        width = 30
        filled = width * self.progress_done // max(self.progress_total, 1)
        percent = 100 * self.progress_done // max(self.progress_total, 1)
        self.stdout.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {percent:3d}% {stage:<12}", ending="")
        self.stdout.flush()

    def _report(self, people, created_accounts, password):
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {len(people)} users, {Post.objects.filter(owner__in=people).count()} posts, "
                f"{Comment.objects.filter(owner__in=people).count()} comments, "
                f"{Like.objects.filter(owner__in=people).count()} likes, "
                f"{Follower.objects.filter(owner__in=people).count()} follows, "
                f"{Message.objects.filter(sender__in=people).count()} messages, "
                f"{Block.objects.filter(owner__in=people).count()} block, "
                f"{Mute.objects.filter(owner__in=people).count()} mute, "
                f"{Report.objects.filter(reporter__in=people, status=Report.Status.OPEN).count()} open reports."
            )
        )
        if not created_accounts:
            self.stdout.write("No new users: their passwords were shown when they were created.")
        elif password:
            self.stdout.write(f"New users ({len(created_accounts)}) have the password you gave.")
        else:
            self.stdout.write("New users and their passwords (shown this once):")
            for username, new_password in created_accounts:
                self.stdout.write(f"  {username:<20} {new_password}")


def generated_image(rng, size, fmt="PNG"):
    """A small abstract picture: a two-colour gradient with a few shapes."""
    width, height = size
    top = tuple(rng.randrange(40, 220) for _ in range(3))
    bottom = tuple(rng.randrange(40, 220) for _ in range(3))
    image = Image.new("RGB", size)
    draw = ImageDraw.Draw(image)
    for y in range(height):
        mix = y / max(height - 1, 1)
        draw.line([(0, y), (width, y)], fill=tuple(int(a + (b - a) * mix) for a, b in zip(top, bottom, strict=True)))
    for _ in range(rng.randrange(2, 6)):
        x, y = rng.randrange(width), rng.randrange(height)
        radius = rng.randrange(min(size) // 12, min(size) // 3)
        colour = tuple(rng.randrange(256) for _ in range(3))
        draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=colour)
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, quality=85)
    return buffer.getvalue()
