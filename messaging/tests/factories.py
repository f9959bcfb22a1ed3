import factory

from messaging.models import Message
from users.tests.factories import UserFactory


class MessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Message

    sender = factory.SubFactory(UserFactory)
    recipient = factory.SubFactory(UserFactory)
    content = factory.Sequence(lambda n: f"Message number {n}")
