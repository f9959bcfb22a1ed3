import factory

from likes.models import Like
from posts.tests.factories import PostFactory
from users.tests.factories import UserFactory


class LikeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Like

    owner = factory.SubFactory(UserFactory)
    post = factory.SubFactory(PostFactory)
