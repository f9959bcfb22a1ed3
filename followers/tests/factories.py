import factory

from followers.models import Follower
from users.tests.factories import UserFactory


class FollowerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Follower

    owner = factory.SubFactory(UserFactory)
    followed = factory.SubFactory(UserFactory)
