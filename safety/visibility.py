"""Who and what a viewer must not see: the one rule that every read asks.

A viewer (the caller; nobody when signed out) sees nothing of

1. a user they block or who blocks them (safety.models.Block): as if that user were absent;
2. a deactivated user (an admin turned `is_active` off): for everyone;
3. hidden content, a post, comment or message a moderator hid (`hidden_at`): for everyone;

and, in lists and feeds only (`listing=True`),

4. the posts and comments of a user they mute (safety.models.Mute). A muted user's detail URLs
   still answer, and the muted user notices nothing.

Each model says what of whom its rows show with a `Visibility`, declared on the model as
`visibility` (a post shows its owner and is itself hideable; a like shows its owner and the
post's owner, and goes with its post). `visible(queryset, viewer)` applies the rule to any
queryset of such a model: every list, filter, feed and detail lookup, the choices of a related
field (safety.serializers.VisibleRelatedField), and the read paths (drf_api.reads asks the
model's `visibility`). Writes between two people ask `apart()`; notifications ask `silenced()`.

What it costs: the users a viewer must not see are one subquery (`unseen_users`): two index probes
into blocks, one into mutes and one into the partial index of deactivated users, which
PostgreSQL runs once per statement and hashes. No query of its own.

Counts (`likes_count`, `followers_count`, …) stay what they are for everyone: hiding someone
from one viewer does not change what third parties see.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Model, Q, QuerySet
from django.db.models.expressions import RawSQL

from drf_api.counting import count_sql
from safety.models import Block, Mute

USERS, BLOCKS, MUTES = get_user_model()._meta.db_table, Block._meta.db_table, Mute._meta.db_table


def viewer_id(viewer: Any) -> int | None:
    """The viewer's user id: a user (None when signed out: AnonymousUser's id is None) or an id."""
    return viewer if viewer is None or isinstance(viewer, int) else viewer.id


def unseen_users(viewer: Any, *, muted: bool = False) -> RawSQL:
    """The ids of the users `viewer` must not see: deactivated users, and, for a signed-in viewer,
    whoever they block or blocks them and, with `muted`, whoever they mute."""
    parts, params = [f"SELECT id FROM {USERS} WHERE NOT is_active"], []
    user = viewer_id(viewer)
    if user is not None:
        parts += [f"SELECT blocked_id FROM {BLOCKS} WHERE owner_id = %s",
                  f"SELECT owner_id FROM {BLOCKS} WHERE blocked_id = %s"]
        params += [user, user]
        if muted:
            parts.append(f"SELECT muted_id FROM {MUTES} WHERE owner_id = %s")
            params.append(user)
    return RawSQL(" UNION ALL ".join(parts), params)


@dataclass(frozen=True)
class Visibility:
    """What a model's rows show of whom (declared on the model as `visibility`).

    `people`: paths to the users a row shows ("owner", "post__owner"; "id" for a user itself);
    `muted`: those of them whose mutes hide the row in lists (the author of a post or comment);
    `content`: paths to hideable rows ("" for the row itself, "post" for the post it belongs to);
    `kept`: (path, counter table) pairs, where PostgreSQL keeps per user how many rows of theirs
    are not hidden (`<path>_id`, `row_count`: Post.rows_counted_by, drf_api.counting.CountRowsBy).
    """

    people: tuple[str, ...] = ()
    muted: tuple[str, ...] = ()
    content: tuple[str, ...] = ()
    kept: tuple[tuple[str, str], ...] = ()

    def reasons(self, viewer: Any, *, listing: bool = True) -> list[Q]:
        """Each reason a row is not shown to `viewer`, as a condition (a row is shown when none holds)."""
        hidden = [Q(**{f"{path}__hidden_at__isnull" if path else "hidden_at__isnull": False}) for path in self.content]
        absent = [Q(**{f"{path}__in": unseen_users(viewer, muted=listing and path in self.muted)})
                  for path in self.people]
        return hidden + absent

    def q(self, viewer: Any, *, listing: bool = True) -> Q:
        """The condition that `viewer` may see a row, in a list or feed (`listing`) or at its URL:
        no reason holds."""
        shown = Q()
        for reason in self.reasons(viewer, listing=listing):
            shown &= ~reason
        return shown

    def not_shown(self, model: type[Model], viewer: Any, *, listing: bool = True) -> list[tuple[str, list]]:
        """How many of `model`'s rows are not shown, as SELECTs of counts that add up (the rows of
        the first reason; of the second without the first; …), each answered by an index or a kept
        count: a list of a whole counted table is then its kept row count less these
        (drf_api.reads.ReadList.count_query)."""
        terms, before = [], Q()
        # The kept count of each user's shown rows answers the first people reason when the only
        # one before it is "the row itself is hidden".
        path = self.people[0] if self.content == ("",) and self.people else None
        counter = dict(self.kept).get(path)
        for index, reason in enumerate(self.reasons(viewer, listing=listing)):
            if counter is not None and index == 1:
                unseen = unseen_users(viewer, muted=listing and path in self.muted)
                total = "CAST(COALESCE(SUM(row_count), 0) AS bigint)"
                terms.append((f"SELECT {total} FROM {counter} WHERE {path}_id IN ({unseen.sql})",
                              list(unseen.params)))
            else:
                terms.append(count_sql(model._default_manager.filter(before & reason)))
            before &= ~reason
        return [(sql, list(params)) for sql, params in terms]


# A user shows themselves (declared here: the user model is swappable, and its app asks this one).
USER = Visibility(people=("id",))


def visibility_of(model: type[Model]) -> Visibility:
    if model is get_user_model():
        return USER
    return model.visibility  # type: ignore[attr-defined]


def visible(queryset: QuerySet, viewer: Any, *, listing: bool = True) -> QuerySet:
    """`queryset` without what `viewer` must not see: in a list or feed (`listing`, mutes
    apply), or at a detail URL (mutes do not)."""
    return queryset.filter(visibility_of(queryset.model).q(viewer, listing=listing))


def apart(user_a: int, user_b: int) -> bool:
    """Whether either of two users blocks the other (nothing may pass between them)."""
    return Block.objects.filter(Q(owner=user_a, blocked=user_b) | Q(owner=user_b, blocked=user_a)).exists()


def silenced(recipient: int, actor: int) -> bool:
    """Whether what `actor` does must not reach `recipient` (a notification, an event): a block
    either way, a mute by the recipient, or an actor who is deactivated. The same rule as a
    list's, for one pair: one query."""
    return get_user_model().objects.filter(id=actor, id__in=unseen_users(recipient, muted=True)).exists()
