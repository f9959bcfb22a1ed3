import factory

from comments.models import Comment
from posts.tests.factories import PostFactory
from users.tests.factories import UserFactory


class CommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Comment

    owner = factory.SubFactory(UserFactory)
    post = factory.SubFactory(PostFactory)
    content = factory.Sequence(lambda n: f"Comment {n}")
