"""Reports and what moderators do about them. The API and the admin queue call these."""
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from rest_framework import serializers

from comments.models import Comment
from messaging.models import Message
from moderation.models import Report
from posts.models import Post
from profiles.models import Profile
from safety.visibility import visible
from users import sessions
from users.models import SessionFamily, User

Target = Report.Target
MODELS = {Target.POST: Post, Target.COMMENT: Comment, Target.MESSAGE: Message, Target.PROFILE: Profile}
AUTHOR = {Target.POST: "owner", Target.COMMENT: "owner", Target.MESSAGE: "sender", Target.PROFILE: "owner"}
HIDEABLE = (Target.POST, Target.COMMENT, Target.MESSAGE)


def reportable(target_type: str, reporter: User) -> QuerySet:
    """What `reporter` may report of a kind: what they can see at its URL; of messages, only one
    they received."""
    model = MODELS[Target(target_type)]
    if model is Message:
        return Message.objects.filter(recipient=reporter.id, hidden_at=None)
    return visible(model.objects.all(), reporter, listing=False)


def report_create(*, reporter: User, target_type: str, target_id: int, reason: str, note: str = "") -> Report:
    """A report, open. 400 for a target the reporter cannot see, their own content, or a second
    open report of theirs on the same target (the database's partial unique constraint judges
    two at once)."""
    target = reportable(target_type, reporter).filter(pk=target_id).first()
    if target is None:
        raise serializers.ValidationError(
            {"target_id": [f"There is no {target_type} with this id that you can report."]})
    author_id = getattr(target, f"{AUTHOR[Target(target_type)]}_id")
    if author_id == reporter.id:
        raise serializers.ValidationError({"target_id": ["You cannot report your own content."]})
    try:
        with transaction.atomic():
            return Report.objects.create(
                reporter=reporter, target_type=target_type, target_id=target_id, author_id=author_id,
                reason=reason, note=note, **{target_type: target},
            )
    except IntegrityError:
        if Report.objects.filter(reporter=reporter, target_type=target_type, target_id=target_id,
                                 status=Report.Status.OPEN).exists():
            raise serializers.ValidationError(
                {"detail": "You have already reported this; your report is open."}) from None
        raise serializers.ValidationError({"target_id": [f"This {target_type} has been deleted."]}) from None


def same_targets(reports: QuerySet) -> QuerySet:
    """The open reports on the targets of `reports` (a moderator acts on a target once for all)."""
    targets = Q(pk__in=[])
    for target_type, target_id in reports.order_by().values_list("target_type", "target_id").distinct():
        targets |= Q(target_type=target_type, target_id=target_id)
    return Report.objects.filter(targets, status=Report.Status.OPEN)


def close(reports: QuerySet, *, moderator: User, action: str, status: str) -> int:
    return reports.update(action=action, status=status, handled_by=moderator, handled_at=timezone.now())


@transaction.atomic
def reports_hide(*, reports: QuerySet, moderator: User) -> int:
    """Hide the reported posts, comments and messages from everyone (profiles are not hidden:
    deactivate their owner); their open reports are actioned. How many reports were closed."""
    reports = reports.filter(target_type__in=HIDEABLE)
    now = timezone.now()
    for target_type in HIDEABLE:
        ids = reports.filter(target_type=target_type).values("target_id")
        MODELS[target_type].objects.filter(pk__in=ids, hidden_at=None).update(hidden_at=now)
    return close(same_targets(reports) | reports, moderator=moderator, action=Report.Action.HIDE,
                 status=Report.Status.ACTIONED)


@transaction.atomic
def reports_deactivate_authors(*, reports: QuerySet, moderator: User) -> int:
    """Deactivate the authors of the reported content: they cannot sign in, every token and
    socket of theirs is refused at once (users/sessions.py), and everything of theirs is hidden
    like a blocked user's (safety/visibility.py). Their reports are actioned."""
    authors = get_user_model().objects.filter(pk__in=reports.values("author")).exclude(pk=moderator.pk)
    author_ids = list(authors.values_list("pk", flat=True))
    get_user_model().objects.filter(pk__in=author_ids).update(is_active=False)
    sessions.revoke_families(SessionFamily.objects.filter(user__in=author_ids), SessionFamily.Revoked.ADMIN)
    return close(same_targets(reports) | reports.filter(author__in=author_ids), moderator=moderator,
                 action=Report.Action.DEACTIVATE, status=Report.Status.ACTIONED)


@transaction.atomic
def reports_dismiss(*, reports: QuerySet, moderator: User) -> int:
    """Nothing to act on: the reports are dismissed."""
    return close(reports.filter(status=Report.Status.OPEN), moderator=moderator, action=Report.Action.DISMISS,
                 status=Report.Status.DISMISSED)


@transaction.atomic
def reports_restore(*, reports: QuerySet, moderator: User) -> int:
    """Undo what was done on these reports: hidden content shows again, deactivated authors are
    active again (they sign in anew). The reports are then dismissed."""
    acted = reports.exclude(status=Report.Status.OPEN)
    for target_type in HIDEABLE:
        ids = acted.filter(target_type=target_type, action=Report.Action.HIDE).values("target_id")
        MODELS[target_type].objects.filter(pk__in=ids).update(hidden_at=None)
    authors = acted.filter(action=Report.Action.DEACTIVATE).values("author")
    get_user_model().objects.filter(pk__in=authors).update(is_active=True)
    return close(acted, moderator=moderator, action=Report.Action.RESTORE, status=Report.Status.DISMISSED)
